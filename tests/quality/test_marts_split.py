"""No check is written twice: the GX marts suites hold only what dbt does not test inside the graph."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]

# GX expectation type -> the dbt generic test that checks the same thing
SAME_CHECK = {
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_unique": "unique",
    "expect_column_values_to_be_in_set": "accepted_values",
    "expect_column_values_to_be_between": "accepted_range",
}


def dbt_column_tests() -> set[tuple[str, str, str]]:
    """(published table, column, dbt test) for every column test in _marts__models.yml; models are named
    by their alias, as BI and the GX suites see them."""
    models = yaml.safe_load((REPO / "dbt_project" / "models" / "marts" / "_marts__models.yml").read_text())
    out = set()
    for model in models["models"]:
        table = model["name"].removeprefix("mart_")
        for column in model.get("columns", []):
            for test in column.get("data_tests") or []:
                out.add((table, column["name"], test if isinstance(test, str) else next(iter(test))))
        for test in model.get("data_tests") or []:
            if isinstance(test, dict) and "unique_combination_of_columns" in test:
                columns = test["unique_combination_of_columns"]["arguments"]["combination_of_columns"]
                out.add((table, ",".join(columns), "unique_combination_of_columns"))
    return out


def duplicated_checks() -> list[str]:
    dbt = dbt_column_tests()
    found = []
    for path in sorted((REPO / "expectations" / "marts").glob("*.json")):
        table = path.stem
        for expectation in json.loads(path.read_text())["expectations"]:
            kind, kwargs = expectation["type"], expectation["kwargs"]
            if kind == "expect_compound_columns_to_be_unique":
                key = (table, ",".join(kwargs["column_list"]), "unique_combination_of_columns")
            elif kind in SAME_CHECK:
                key = (table, kwargs["column"], SAME_CHECK[kind])
            else:
                continue
            if key in dbt:
                found.append(f"{path.name}: {kind}({kwargs}) repeats dbt's {key[2]} on {table}.{key[1]}")
    return found


def test_gx_marts_suites_repeat_no_dbt_test():
    assert duplicated_checks() == []


def test_the_detector_sees_a_repeated_check():
    dbt = dbt_column_tests()
    assert ("customer_360", "customer_id", "unique") in dbt
    assert ("contact_strategy", "segment", "accepted_values") in dbt  # mart_contact_strategy, alias
    assert ("identity_review_queue", "record_key_l,record_key_r", "unique_combination_of_columns") in dbt
