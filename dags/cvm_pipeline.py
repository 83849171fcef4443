"""
### cvm_pipeline

Landing zone -> `raw` (exactly-once loads, quarantine) -> great-expectations gate -> dbt staging ->
identity resolution (recordlinkage) -> dbt golden customers and facts -> value, CLV, churn and segment
models -> dbt marts in `marts_next` -> quality gate -> atomic publish to `marts` for BI.

Params: `as_of` (YYYY-MM-DD; default: the run's logical date) and `landing` (default: `CVM_LANDING`).
Wiring only: every task calls a function of `cvm.pipeline`, which the tests call directly too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from cvm import pipeline

MARTS = Asset("cvm://warehouse/marts")


def _run(stage: Any, ctx: dict[str, str], *args: Any) -> dict[str, Any]:
    """Run one stage; bad data fails the task at once (no retries), other errors are retried."""
    try:
        return stage(pipeline.RunContext.from_dict(ctx), *args)
    except pipeline.DataError as exc:
        raise AirflowFailException(str(exc)) from exc


@dag(
    dag_id="cvm_pipeline",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="Europe/Amsterdam"),
    catchup=False,
    max_active_runs=1,
    tags=["cvm", "warehouse"],
    doc_md=__doc__,
    params={
        "as_of": Param(None, type=["null", "string"], format="date", description="as-of date YYYY-MM-DD"),
        "landing": Param(None, type=["null", "string"], description="landing zone directory"),
    },
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2), "owner": "data-engineering"},
)
def cvm_pipeline() -> None:
    @task
    def start() -> dict[str, str]:
        context = get_current_context()
        params = context["params"]
        logical = context.get("logical_date") or context["dag_run"].run_after
        as_of = params.get("as_of") or pendulum.instance(logical).in_tz("Europe/Amsterdam").date().isoformat()
        try:
            return pipeline.start_run(as_of, params.get("landing")).to_dict()
        except pipeline.DataError as exc:
            raise AirflowFailException(str(exc)) from exc

    @task
    def ingest(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.ingest, ctx)

    @task
    def raw_quality_gate(ctx: dict[str, str], loads: dict[str, Any]) -> dict[str, Any]:
        return _run(pipeline.raw_quality_gate, ctx, loads["load_ids"])

    @task
    def dbt_prepare(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.dbt_prepare, ctx)

    @task
    def identity(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.identity, ctx)

    @task
    def dbt_customers(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.dbt_customers, ctx)

    @task
    def models(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.models, ctx)

    @task
    def dbt_marts(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.dbt_marts, ctx)

    @task
    def marts_quality_gate(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.marts_quality_gate, ctx)

    @task(outlets=[MARTS])
    def publish(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.publish, ctx)

    ctx = start()
    loads = ingest(ctx)
    gate = raw_quality_gate(ctx, loads)
    prepared = dbt_prepare(ctx)
    linked = identity(ctx)
    facts = dbt_customers(ctx)
    scored = models(ctx)
    marts = dbt_marts(ctx)
    checked = marts_quality_gate(ctx)
    published = publish(ctx)
    gate >> prepared >> linked >> facts >> scored >> marts >> checked >> published


pipeline_dag = cvm_pipeline()
