"""No check is written twice between the raw gate and staging: the raw suites own the boundary checks that
name file, row and column (ids present, allowed codes, score ranges); staging reads every such column with the
same shared function, and its dbt tests do not repeat them (see expectations/README.md, "Who checks what")."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from tests.quality.test_marts_split import SAME_CHECK

REPO = Path(__file__).resolve().parents[2]
STAGING = REPO / "dbt_project" / "models" / "staging"
READ_WITH = {"code": "parse_code", "text": "clean_text"}  # dbt macro over raw.cvm_code / raw.cvm_text


def staging_column_tests() -> set[tuple[str, str, str]]:
    """(model, column, dbt test) of every column test in the staging `_models.yml` files."""
    out = set()
    for path in STAGING.glob("*/_*__models.yml"):
        for model in yaml.safe_load(path.read_text())["models"]:
            for column in model.get("columns", []):
                for test in column.get("data_tests") or []:
                    out.add((model["name"], column["name"], test if isinstance(test, str) else next(iter(test))))
    return out


def raw_suites() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((REPO / "expectations" / "raw").glob("*.json"))}


def _models(entity: str) -> tuple[str, str]:
    system, name = entity.split("_", 1)
    return f"stg_{system}__{name}", f"stg_{system}__{name}_versions"


def duplicated_checks() -> list[str]:
    """A raw expectation repeated by a dbt test on the staging model that reads the same column. `not_null` is
    compared with the `_versions` model only: the latest model's not_null + unique on its key is its grain."""
    dbt = staging_column_tests()
    found = []
    for entity, suite in raw_suites().items():
        latest, versions = _models(entity)
        for expectation in suite["expectations"]:
            kind, column = expectation["type"], expectation["kwargs"].get("column")
            if kind not in SAME_CHECK or column is None:
                continue
            column = column.removesuffix("__value")
            models = (versions,) if SAME_CHECK[kind] == "not_null" else (latest, versions)
            found += [
                f"{entity}.json: {kind}({column}) repeats dbt's {SAME_CHECK[kind]} on {model}.{column}"
                for model in models
                if (model, column, SAME_CHECK[kind]) in dbt
            ]
    return found


def test_raw_suites_repeat_no_staging_test():
    assert duplicated_checks() == []


def test_the_detector_sees_a_repeated_check():
    dbt = staging_column_tests()
    assert ("stg_crm__activities", "activity_id", "not_null") in dbt
    assert ("stg_crm__activities_versions", "load_id", "not_null") in dbt
    assert _models("service_tickets") == ("stg_service__tickets", "stg_service__tickets_versions")


def test_staging_reads_the_checked_columns_as_the_gate_judges_them():
    """Every `read_as` column of a raw suite is read in staging through the same shared function, and every
    range the raw gate checks on a score is the range staging keeps (values outside it become null there)."""
    compared = set()
    for entity, suite in raw_suites().items():
        text = (STAGING / entity.split("_", 1)[0] / f"{_models(entity)[1]}.sql").read_text()
        for column, kind in suite["meta"].get("read_as", {}).items():
            assert f"{READ_WITH[kind]}('{column}')" in text, (entity, column)
        for expectation in suite["expectations"]:
            kwargs = expectation["kwargs"]
            column = kwargs.get("column", "")
            kept = re.search(rf"parse_integer\('{column.removesuffix('__value')}'\) }}}} between (\d+) and (\d+)", text)
            if expectation["type"] == "expect_column_values_to_be_between" and kept:
                assert (int(kept[1]), int(kept[2])) == (kwargs.get("min_value"), kwargs.get("max_value")), column
                compared.add(column)
    assert compared == {"nps_score__value", "satisfaction__value"}
