"""The deployment shape of `cvm_pipeline`: the ingest mapped over the source systems present, retries with
exponential backoff and timeouts on I/O tasks, and (CVM_DBT_TASKS=cosmos) one cosmos task per dbt model and
seed, rendered from the dbt manifest."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

from cvm.settings import PROJECT_ROOT

IO_TASKS = ("ingest", "raw_quality_gate", "identity", "models", "marts_quality_gate", "publish")


def _dag(monkeypatch, mode: str, manifest: Path | None = None):  # noqa: ANN202
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("CVM_DBT_TASKS", mode)
    if manifest:
        monkeypatch.setenv("CVM_DBT_MANIFEST", str(manifest))
    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags" / "cvm_pipeline.py"))
    assert bag.import_errors == {}
    return bag.dags["cvm_pipeline"]


def test_ingest_is_mapped_over_the_systems_and_io_tasks_retry_with_backoff(monkeypatch) -> None:
    dag = _dag(monkeypatch, "stage")
    ingest = dag.get_task("ingest")
    assert type(ingest).__name__.endswith("MappedOperator")
    assert "systems" in ingest.upstream_task_ids
    for task_id in IO_TASKS + ("dbt_prepare", "dbt_customers", "dbt_marts"):
        task = dag.get_task(task_id)
        assert task.retries >= 2 and task.retry_exponential_backoff > 1, task_id
        assert task.max_retry_delay and task.max_retry_delay <= timedelta(hours=1), task_id
        assert task.execution_timeout and task.execution_timeout <= timedelta(hours=6), task_id


def test_landing_systems_are_the_ones_with_deliveries(tmp_path) -> None:
    from cvm.pipeline import RunContext, landing_systems

    (tmp_path / "crm" / "accounts").mkdir(parents=True)
    (tmp_path / "crm" / "accounts" / "2026-10-01.csv").write_text("account_id\nA1\n")
    (tmp_path / "service" / "tickets").mkdir(parents=True)
    (tmp_path / "service" / "tickets" / "t.jsonl").write_text('{"ticket_id": "T1"}\n')
    (tmp_path / "finance" / "invoices").mkdir(parents=True)  # an empty folder is no delivery
    (tmp_path / "erp" / "orders").mkdir(parents=True)  # not a contract entity: ignored, not mapped
    (tmp_path / "erp" / "orders" / "o.csv").write_text("x\n1\n")
    ctx = RunContext(run_id="r", as_of="2026-10-31", landing=str(tmp_path))
    assert landing_systems(ctx) == ["crm", "service"]


def test_cosmos_renders_one_task_per_dbt_model_and_seed(monkeypatch, manifest) -> None:
    from cvm.dbt_tasks import STAGE_SELECTS

    dag = _dag(monkeypatch, "cosmos", manifest)
    nodes = json.loads(manifest.read_text())["nodes"].values()
    total = 0
    for stage, selects in STAGE_SELECTS.items():
        tags = {s.removeprefix("tag:") for s in selects}
        expected = {
            f"{stage}.{n['name']}_{n['resource_type']}_build"
            for n in nodes
            if n["resource_type"] in ("model", "seed") and tags & set(n["tags"])
        }
        rendered = {t for t in dag.task_ids if t.startswith(f"{stage}.")}
        assert expected and rendered == expected, stage
        total += len(expected)
    # every dbt task belongs to a stage: one per model and seed of the stages' tags, nothing else
    assert len([t for t in dag.task_ids if t.startswith("dbt_")]) == total > 39

    c360 = dag.get_task("dbt_marts.customer_360_model_build")
    assert c360.vars == {
        "as_of": "{{ ti.xcom_pull(task_ids='start')['as_of'] }}",
        "model_run_id": "{{ ti.xcom_pull(task_ids='start')['run_id'] }}",
    }
    assert "dbt_marts.dim_customer_model_build" in c360.upstream_task_ids  # dbt's lineage inside a stage
    assert c360.retries >= 2 and c360.execution_timeout
    # the stages stay in pipeline order around the Python steps
    assert "identity" in dag.get_task("dbt_customers.int_customers_model_build").get_flat_relative_ids(upstream=True)
    assert "models" in c360.get_flat_relative_ids(upstream=True)
    assert "marts_quality_gate" in c360.get_flat_relative_ids(upstream=False)


def test_cosmos_without_a_manifest_says_how_to_make_one(monkeypatch, tmp_path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("CVM_DBT_TASKS", "cosmos")
    monkeypatch.setenv("CVM_DBT_MANIFEST", str(tmp_path / "missing.json"))
    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags" / "cvm_pipeline.py"))
    (error,) = bag.import_errors.values()
    assert "python -m cvm.dbt_tasks" in error and "missing.json" in error


def test_the_warehouse_comes_from_the_airflow_connection_unless_cvm_database_url_is_set(monkeypatch) -> None:
    from cvm.dbt_tasks import use_airflow_connection
    from cvm.warehouse import connection_params

    # set (empty) through monkeypatch, so the URL use_airflow_connection() writes is undone after the test
    monkeypatch.setenv("CVM_DATABASE_URL", "")
    monkeypatch.setenv("AIRFLOW_CONN_CVM_WAREHOUSE", "postgresql://cvm:s%40cret@db.example:5433/cvm")
    use_airflow_connection()
    params = connection_params(os.environ["CVM_DATABASE_URL"])
    assert params == {"host": "db.example", "port": 5433, "user": "cvm", "password": "s@cret", "dbname": "cvm"}

    monkeypatch.setenv("CVM_DATABASE_URL", "postgresql://other@elsewhere/cvm")
    use_airflow_connection()  # an explicit URL wins
    assert os.environ["CVM_DATABASE_URL"] == "postgresql://other@elsewhere/cvm"
