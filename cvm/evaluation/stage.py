"""Store one month of evaluation: the dbt models tagged `evaluation` for that month, then the run log."""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import date
from typing import Any

from psycopg import sql

from cvm.evaluation.runs import EvaluationTarget, covering_run, record_evaluation
from cvm.settings import Settings
from cvm.warehouse import connect, warehouse_url

log = logging.getLogger("cvm.evaluation")

SCHEMA = "evaluation"
STORES: tuple[str, ...] = (
    "evaluation_customer_months",
    "evaluation_segments",
    "evaluation_migrations",
    "evaluation_uplift",
)


class EvaluationError(RuntimeError):
    """The month cannot be evaluated (yet): no published run covers it, or the build failed."""


def resolve(settings: Settings, month: date) -> EvaluationTarget:
    target = covering_run(warehouse_url(settings), month)
    if target is None:
        raise EvaluationError(
            f"no published pipeline run covers {month:%Y-%m}: run the pipeline as of {month:%Y-%m} month end or "
            "later (within 10 months), e.g. `cvm run --as-of YYYY-MM-DD`"
        )
    return target


def evaluate_month(settings: Settings, target: EvaluationTarget) -> dict[str, Any]:
    """Replace the month in every evaluation store (one transaction per store) and log the row counts."""
    from cvm.dbt import DbtError, run_dbt

    url = warehouse_url(settings)
    started = time.perf_counter()
    log.info("evaluating %s with model run %s (as of %s)", f"{target.month:%Y-%m}", target.model_run_id, target.as_of)
    try:
        run_dbt(settings, url, ["build", "--select", "tag:evaluation"], vars=target.dbt_vars)
    except DbtError as exc:
        raise EvaluationError(str(exc)) from exc
    rows = month_rows(url, target.month)
    record_evaluation(url, target, rows)
    seconds = round(time.perf_counter() - started, 2)
    log.info(
        "evaluated %s in %.1fs: %s", f"{target.month:%Y-%m}", seconds, ", ".join(f"{k}={v}" for k, v in rows.items())
    )
    return {"month": target.month.isoformat(), "seconds": seconds, **rows}


def month_rows(url: str, month: date) -> dict[str, int]:
    with connect(url, autocommit=True) as conn:
        return {
            store: conn.execute(
                sql.SQL("select count(*) from {}.{} where month = %s").format(
                    sql.Identifier(SCHEMA), sql.Identifier(store)
                ),
                (month,),
            ).fetchone()[0]
            for store in STORES
        }


def store_checksums(url: str) -> dict[tuple[str, date], str]:
    """md5 over the ordered rows of each store per month: what a re-run of a month must leave unchanged."""
    out: dict[tuple[str, date], str] = {}
    with connect(url, autocommit=True) as conn:
        for store in STORES:
            table = sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(store))
            rows = conn.execute(
                sql.SQL(
                    "select month, md5(string_agg(t::text, '|' order by t::text)) from {} as t group by month"
                ).format(table)
            ).fetchall()
            out.update({(store, month): digest for month, digest in rows})
    return out


def fingerprint(checksums: dict[tuple[str, date], str]) -> str:
    return hashlib.sha256(repr(sorted(checksums.items())).encode()).hexdigest()[:16]
