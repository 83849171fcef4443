"""
### cvm_monthly_evaluation

Closes the loop of the contact strategy every month (seed articles 001 and 002 step 7): on the 3rd of each
month it evaluates the month just closed, per segment, and writes the marketing report.

1. `published_warehouse` waits (sensor on `ops.pipeline_runs`) for a published pipeline run as of the month
   end or later: the month's end states come from that run, never from later scores.
2. `evaluate` stores the month in the `evaluation` schema (dbt `tag:evaluation`): segment evaluation with goal
   attainment, the migration matrix and the uplift against the control group. Re-running a month replaces
   exactly that month; the published marts show the stores through views.
3. `report` writes the self-contained HTML report under `$CVM_HOME/reports/`.

Catchup fills past months in order. Params: `month` (YYYY-MM, default: the month before the run date) and
`language` (en | nl). Wiring only: every task calls `cvm.evaluation` / `cvm.report`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Param, PokeReturnValue, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException
from airflow.timetables.trigger import CronTriggerTimetable

from cvm import evaluation
from cvm.settings import load_settings

TZ = "Europe/Amsterdam"


@dag(
    dag_id="cvm_monthly_evaluation",
    schedule=CronTriggerTimetable("0 7 3 * *", timezone=TZ),
    start_date=pendulum.datetime(2026, 1, 1, tz=TZ),
    catchup=True,
    max_active_runs=1,
    tags=["cvm", "evaluation"],
    doc_md=__doc__,
    params={
        "month": Param(None, type=["null", "string"], pattern=r"^\d{4}-\d{2}$", description="month YYYY-MM"),
        "language": Param(None, type=["null", "string"], enum=[None, "en", "nl"], description="report language"),
    },
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5), "owner": "marketing-analytics"},
)
def cvm_monthly_evaluation() -> None:
    @task.sensor(poke_interval=30 * 60, timeout=5 * 24 * 3600, mode="reschedule")
    def published_warehouse() -> PokeReturnValue:
        context = get_current_context()
        month_param = context["params"].get("month")
        if month_param:
            month = evaluation.parse_month(month_param)
        else:
            logical = context.get("logical_date") or context["dag_run"].run_after
            month = evaluation.month_to_evaluate(pendulum.instance(logical).in_tz(TZ).date())
        target = evaluation.covering_run(evaluation.warehouse(), month)
        return PokeReturnValue(is_done=target is not None, xcom_value=target.to_dict() if target else None)

    @task
    def evaluate(target: dict[str, str]) -> dict[str, Any]:
        try:
            return evaluation.evaluate_month(load_settings(), evaluation.EvaluationTarget.from_dict(target))
        except evaluation.EvaluationError as exc:
            raise AirflowFailException(str(exc)) from exc

    @task
    def report(target: dict[str, str], stored: dict[str, Any]) -> str:
        from cvm.report import write_monthly_report

        language = get_current_context()["params"].get("language")
        return str(
            write_monthly_report(
                load_settings(), evaluation.EvaluationTarget.from_dict(target).month, language=language
            )
        )

    target = published_warehouse()
    report(target, evaluate(target))


evaluation_dag = cvm_monthly_evaluation()
