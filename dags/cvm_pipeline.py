"""
### cvm_pipeline

Landing zone -> `raw` (exactly-once loads, quarantine) -> great-expectations gate -> dbt staging ->
identity resolution (recordlinkage) -> dbt golden customers and facts -> value, CLV, churn and segment
models -> dbt marts in `marts_next` -> quality gate -> atomic publish to `marts` for BI.

Params: `as_of` (YYYY-MM-DD; default: the run's logical date) and `landing` (default: `CVM_LANDING`).
Wiring only: every task calls a function of `cvm.pipeline`, which the tests call directly too. The ingest is
mapped over the source systems present in the landing zone; with `CVM_DBT_TASKS=cosmos` each dbt stage is a
cosmos task group with one task per model (see `cvm.dbt_tasks`). The warehouse comes from `CVM_DATABASE_URL`
or the Airflow connection `cvm_warehouse`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from cvm import dbt_tasks, pipeline
from cvm.settings import warehouse_timezone

MARTS = Asset("cvm://warehouse/marts")
# I/O against the warehouse and the landing zone: a stuck connection fails the try instead of hanging the run
IO = {"execution_timeout": timedelta(hours=2)}
DEFAULT_ARGS = {
    "owner": "data-engineering",
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": 2.0,  # 1, 2 minutes ... capped below
    "max_retry_delay": timedelta(minutes=30),
}


def _run(stage: Any, ctx: dict[str, str], *args: Any) -> dict[str, Any]:
    """Run one stage; bad data fails the task at once (no retries), other errors are retried."""
    dbt_tasks.use_airflow_connection()
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
    default_args=DEFAULT_ARGS,
)
def cvm_pipeline() -> None:
    @task(execution_timeout=timedelta(minutes=10))
    def start() -> dict[str, str]:
        dbt_tasks.use_airflow_connection()
        context = get_current_context()
        params = context["params"]
        logical = context.get("logical_date") or context["dag_run"].run_after
        as_of = params.get("as_of") or pendulum.instance(logical).in_tz(warehouse_timezone().key).date().isoformat()
        try:
            return pipeline.start_run(as_of, params.get("landing")).to_dict()
        except pipeline.DataError as exc:
            raise AirflowFailException(str(exc)) from exc

    @task(execution_timeout=timedelta(minutes=10))
    def systems(ctx: dict[str, str]) -> list[str]:
        return _run(pipeline.landing_systems, ctx)  # an empty landing zone fails at once, no retries

    @task(map_index_template="{{ system }}", **IO)
    def ingest(ctx: dict[str, str], system: str) -> dict[str, Any]:
        return _run(pipeline.ingest, ctx, None, system)

    @task(**IO)
    def raw_quality_gate(ctx: dict[str, str], loads: list[dict[str, Any]]) -> dict[str, Any]:
        # one slice request: list() would probe one index past the end, which Airflow logs as "XCom not found"
        load_ids = _run(pipeline.ingest_totals, ctx, list(loads[:]))
        return _run(pipeline.raw_quality_gate, ctx, load_ids)

    @task(**IO)
    def dbt_prepare(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.dbt_prepare, ctx)

    @task(**IO)
    def identity(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.identity, ctx)

    @task(**IO)
    def dbt_customers(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.dbt_customers, ctx)

    @task(**IO)
    def models(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.models, ctx)

    @task(**IO)
    def dbt_marts(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.dbt_marts, ctx)

    @task(**IO)
    def marts_quality_gate(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.marts_quality_gate, ctx)

    @task(outlets=[MARTS], **IO)
    def publish(ctx: dict[str, str]) -> dict[str, Any]:
        return _run(pipeline.publish, ctx)

    ctx = start()
    loads = ingest.partial(ctx=ctx).expand(system=systems(ctx))
    gate = raw_quality_gate(ctx, loads)
    if dbt_tasks.dbt_task_mode() == "cosmos":  # one task per dbt model, rendered from the manifest
        prepared, facts, marts = (
            dbt_tasks.dbt_stage_group(stage, {**DEFAULT_ARGS, **IO})
            for stage in ("dbt_prepare", "dbt_customers", "dbt_marts")
        )
    else:
        prepared, facts, marts = dbt_prepare(ctx), dbt_customers(ctx), dbt_marts(ctx)
    linked = identity(ctx)
    scored = models(ctx)
    checked = marts_quality_gate(ctx)
    published = publish(ctx)
    gate >> prepared >> linked >> facts >> scored >> marts >> checked >> published


pipeline_dag = cvm_pipeline()
