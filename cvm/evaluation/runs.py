"""Which published model run measures a month, and the evaluation run log (`ops.evaluation_runs`).

A month is measured with the first published pipeline run whose as-of date lies on or after the month end
(and whose 12 months of segment history still reach the month before). Later runs never replace it, so
re-evaluating a month reads the same month-end states, and today's scores never rewrite past months.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from psycopg.types.json import Jsonb

from cvm.evaluation.months import add_months, month_end
from cvm.warehouse import connect

# ml.segment_history holds the 12 months ending with a run's as-of month; a month needs its predecessor too.
HISTORY_MONTHS = 12

DDL = """
create schema if not exists ops;
create table if not exists ops.evaluation_runs (
    month          date primary key,      -- first day of the evaluated month
    model_run_id   text not null,         -- the published run whose month-end states were used
    run_as_of      date not null,
    evaluated_at   timestamptz not null default now(),
    status         text not null,         -- evaluated | reported
    rows           jsonb,                 -- store -> rows of this month
    report_path    text
);
"""


@dataclass(frozen=True)
class EvaluationTarget:
    month: date
    model_run_id: str
    as_of: date

    def to_dict(self) -> dict[str, str]:
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> EvaluationTarget:
        return cls(date.fromisoformat(data["month"]), data["model_run_id"], date.fromisoformat(data["as_of"]))

    @property
    def dbt_vars(self) -> dict[str, str]:
        return {
            "as_of": self.as_of.isoformat(),
            "model_run_id": self.model_run_id,
            "evaluation_month": self.month.isoformat(),
        }


def covering_run(url: str, month: date) -> EvaluationTarget | None:
    """The first published run as of the month end or later whose history still covers the previous month."""
    latest_as_of = month_end(add_months(month, HISTORY_MONTHS - 2))
    with connect(url, autocommit=True) as conn:
        if not conn.execute("select to_regclass('ops.pipeline_runs')").fetchone()[0]:
            return None
        row = conn.execute(
            """select run_id, as_of from ops.pipeline_runs
               where status = 'published' and as_of between %s and %s
               order by as_of, started_at desc limit 1""",
            (month_end(month), latest_as_of),
        ).fetchone()
    return EvaluationTarget(month, row[0], row[1]) if row else None


def record_evaluation(url: str, target: EvaluationTarget, rows: dict[str, int]) -> None:
    with connect(url, autocommit=True) as conn:
        conn.execute(DDL)
        conn.execute(
            """insert into ops.evaluation_runs (month, model_run_id, run_as_of, status, rows)
               values (%s, %s, %s, 'evaluated', %s)
               on conflict (month) do update set model_run_id = excluded.model_run_id,
                   run_as_of = excluded.run_as_of, evaluated_at = now(), status = 'evaluated',
                   rows = excluded.rows, report_path = null""",
            (target.month, target.model_run_id, target.as_of, Jsonb(rows)),
        )


def record_report(url: str, month: date, path: str) -> None:
    with connect(url, autocommit=True) as conn:
        conn.execute(DDL)
        conn.execute(
            "update ops.evaluation_runs set status = 'reported', report_path = %s where month = %s", (path, month)
        )


def last_evaluations(url: str, limit: int = 3) -> list[dict[str, Any]]:
    with connect(url, autocommit=True) as conn:
        conn.execute(DDL)
        cur = conn.execute(
            "select month, model_run_id, run_as_of, evaluated_at, status, report_path "
            "from ops.evaluation_runs order by month desc limit %s",
            (limit,),
        )
        cols = [c.name for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
