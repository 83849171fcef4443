"""No check is written twice: every GX marts expectation checks something dbt does not.

dbt owns the published marts inside the graph: their enforced contracts fix every column's name and type
(`contract: enforced`, models/marts/_marts__models.yml) and their generic tests the keys, values and ranges.
A GX marts suite may only add what dbt cannot see: a table that must not be published empty, or what the
publish itself appends outside the graph (expectations/README.md). No warehouse needed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from cvm.publish import MARTS_MODELS, contract_models

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "dbt_project" / "models"

# GX expectation type -> the dbt check that covers the same thing on the same column(s)
CONTRACT = "contract"  # the enforced contract: every column exists with its data_type
SAME_CHECK = {
    "expect_column_to_exist": CONTRACT,
    "expect_column_values_to_be_of_type": CONTRACT,
    "expect_column_values_to_be_in_type_list": CONTRACT,
    "expect_table_columns_to_match_set": CONTRACT,
    "expect_table_columns_to_match_ordered_list": CONTRACT,
    "expect_table_column_count_to_equal": CONTRACT,
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_unique": "unique",
    "expect_column_values_to_be_in_set": "accepted_values",
    "expect_column_values_to_be_between": "accepted_range",
    "expect_compound_columns_to_be_unique": "unique_combination_of_columns",
}
TABLE = "*"  # target of a table-level check
JINJA_HEAD = re.compile(r"\{#.*?#\}|\{\{\s*config\(.*?\)\s*\}\}", re.S)  # comments and config()
PASS_THROUGH = re.compile(r"select \* from \{\{ ref\('(\w+)'\) \}\}")


def _models() -> dict[str, dict]:
    """Every model of the dbt project's yml files by name."""
    out = {}
    for path in sorted(MODELS.rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
            out[model["name"]] = model
    return out


def _test_name(test: str | dict) -> str:
    return (test if isinstance(test, str) else next(iter(test))).split(".")[-1]


def _checks_of(model: dict) -> set[tuple[str, str]]:
    """(column(s), dbt check) for one model: its column tests, not-null/unique constraints, compound keys, and
    the contract on every column when it is enforced."""
    out = set()
    enforced = ((model.get("config") or {}).get("contract") or {}).get("enforced") is True
    if enforced:
        out.add((TABLE, CONTRACT))
    for column in model.get("columns") or []:
        name = column["name"]
        if enforced:
            out.add((name, CONTRACT))
        for test in column.get("data_tests") or column.get("tests") or []:
            out.add((name, _test_name(test)))
        for constraint in column.get("constraints") or []:
            kind = constraint["type"]
            out |= {(name, "not_null"), (name, "unique")} if kind == "primary_key" else {(name, kind)}
    for test in model.get("data_tests") or model.get("tests") or []:
        if _test_name(test) == "unique_combination_of_columns":
            spec = next(iter(test.values()))
            columns = (spec.get("arguments") or spec)["combination_of_columns"]
            out.add((",".join(sorted(columns)), "unique_combination_of_columns"))
    return out


def dbt_checks() -> dict[str, set[tuple[str, str]]]:
    """Published table -> the dbt checks on it: those of the model that builds it and, for a view that only
    passes another model through (`select * from ref(...)`), that model's tests too."""
    models = _models()
    out = {}
    for name, table in contract_models().items():
        checks = _checks_of(models[name])
        body = JINJA_HEAD.sub("", (MARTS_MODELS / f"{name}.sql").read_text())
        source = PASS_THROUGH.fullmatch(" ".join(body.split()))
        if source and source.group(1) in models:
            checks |= _checks_of(models[source.group(1)])
        out[table] = checks
    return out


def _duplicates(table: str, expectation: dict, dbt: dict[str, set[tuple[str, str]]]) -> str | None:
    """The dbt check an expectation repeats, or None when it checks something dbt does not."""
    kind, kwargs = expectation["type"], expectation["kwargs"]
    check = SAME_CHECK.get(kind)
    if check is None:
        return None
    checks = dbt.get(table, set())
    if kind == "expect_compound_columns_to_be_unique":
        columns = kwargs["column_list"]
        if (",".join(sorted(columns)), check) in checks:
            return check
        unique = [c for c in columns if (c, "unique") in checks]  # one unique column makes the combination unique
        return f"unique on {unique[0]}" if unique else None
    target = kwargs.get("column", TABLE)
    if (target, check) in checks:
        return check
    if check == "accepted_range" and (target, "accepted_values") in checks:
        return "accepted_values"
    return None


def duplicated_checks(suites: Path = REPO / "expectations" / "marts") -> list[str]:
    dbt = dbt_checks()
    found = []
    for path in sorted(suites.glob("*.json")):
        for expectation in json.loads(path.read_text())["expectations"]:
            repeated = _duplicates(path.stem, expectation, dbt)
            if repeated:
                found.append(f"{path.name}: {expectation['type']}({expectation['kwargs']}) repeats dbt's {repeated}")
    return found


def test_every_gx_marts_expectation_checks_something_dbt_does_not():
    assert duplicated_checks() == []


def test_no_marts_suite_is_left_empty():
    """A mart whose checks are all dbt's has no suite (test_gates: every suite is for a mart publish requires)."""
    for path in sorted((REPO / "expectations" / "marts").glob("*.json")):
        assert json.loads(path.read_text())["expectations"], f"{path.name} checks nothing: delete it"


def test_the_detector_sees_what_the_suites_used_to_repeat(tmp_path):
    dbt = dbt_checks()
    assert {("customer_id", "unique"), ("revenue_12m", CONTRACT), (TABLE, CONTRACT)} <= dbt["customer_360"]
    assert ("segment", "accepted_values") in dbt["contact_strategy"]  # mart_contact_strategy, by its alias
    assert ("planned_date", "not_null") in dbt["contact_plan"]
    # segment_evaluation_monthly passes evaluation.evaluation_segments through: its tests count
    assert {("month,segment", "unique_combination_of_columns"), ("segment", "accepted_values")} <= dbt[
        "segment_evaluation_monthly"
    ]
    repeated = [
        ("customer_360", "expect_column_to_exist", {"column": "clv_12m"}),
        ("contact_plan", "expect_column_values_to_not_be_null", {"column": "planned_date"}),
        ("segment_evaluation_monthly", "expect_compound_columns_to_be_unique", {"column_list": ["segment", "month"]}),
        ("customer_identity_map", "expect_compound_columns_to_be_unique", {"column_list": ["record_key", "party_id"]}),
        ("customer_360", "expect_table_columns_to_match_set", {"column_set": ["customer_id"]}),
    ]
    kept = [
        ("customer_360", "expect_table_row_count_to_be_between", {"min_value": 1}),
        ("customer_360", "expect_column_values_to_not_be_null", {"column": "clv_12m"}),
    ]
    for table, kind, kwargs in repeated + kept:
        suite = tmp_path / f"{table}.json"
        old = json.loads(suite.read_text())["expectations"] if suite.exists() else []
        suite.write_text(json.dumps({"expectations": [*old, {"type": kind, "kwargs": kwargs}]}))
    found = duplicated_checks(tmp_path)
    assert len(found) == len(repeated), found
    assert not any("row_count" in f or "clv_12m'}) repeats dbt's not_null" in f for f in found)
