"""The monthly evaluation: which model run a closed month is measured with, the dbt build that stores the
month in the `evaluation` schema, and the run log `ops.evaluation_runs`. The report is in `cvm.report`."""

from cvm.evaluation.months import add_months, month_end, month_to_evaluate, parse_month
from cvm.evaluation.runs import EvaluationTarget, covering_run, last_evaluations, record_report
from cvm.evaluation.stage import (
    STORES,
    EvaluationError,
    evaluate_month,
    month_rows,
    resolve,
    store_checksums,
)
from cvm.settings import load_settings
from cvm.warehouse import warehouse_url


def warehouse() -> str:
    """The warehouse URL of the current settings (for DAG tasks)."""
    return warehouse_url(load_settings())


__all__ = [
    "STORES",
    "EvaluationError",
    "EvaluationTarget",
    "add_months",
    "covering_run",
    "evaluate_month",
    "last_evaluations",
    "month_end",
    "month_rows",
    "month_to_evaluate",
    "parse_month",
    "record_report",
    "resolve",
    "store_checksums",
    "warehouse",
]
