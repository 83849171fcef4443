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


def test_cosmos_renders_one_task_per_dbt_model_and_seed_and_runs_each_test_once(monkeypatch, manifest) -> None:
    """Checked against the manifest's own node list: every model and seed is one `dbt build` task of its
    stage, every test runs exactly once (in its model's build, or as its own task after all the models it
    reads, in the stage of the last of them), and nothing else is rendered."""
    from cvm.dbt_tasks import DBT_VARS, STAGE_SELECTS, stage_of

    dag = _dag(monkeypatch, "cosmos", manifest)
    nodes = json.loads(manifest.read_text())["nodes"]
    buildable = {uid: n for uid, n in nodes.items() if n["resource_type"] in ("model", "seed")}
    tests = {uid: n for uid, n in nodes.items() if n["resource_type"] == "test"}
    assert len(buildable) > 39 and len(tests) > 100  # the project's size: a broken manifest cannot pass
    assert {uid for uid, n in buildable.items() if stage_of(n) is None} == set()  # each belongs to a stage
    parents = {uid: [nodes[p] for p in n["depends_on"]["nodes"] if p in nodes] for uid, n in tests.items()}
    # tests on sources only (raw.load_audit's key) run in neither mode: the raw gate owns the raw layer
    assert all(p for uid, p in parents.items() if "source_" not in tests[uid]["name"])
    shared = {uid for uid, p in parents.items() if len(tests[uid]["depends_on"]["nodes"]) > 1}
    assert len(shared) > 10  # relationships and reconciliations between models

    builds: dict[str, object] = {}
    detached: dict[str, object] = {}
    n_ephemeral = 0
    for i, stage in enumerate(STAGE_SELECTS):
        tasks = [dag.get_task(t) for t in dag.task_ids if t.startswith(f"{stage}.")]
        stage_builds = {t.select: t for t in tasks if getattr(t, "base_cmd", None) == ["build"]}
        stage_tests = {t.select: t for t in tasks if getattr(t, "base_cmd", None) == ["test"]}
        # an ephemeral model is compiled into the models that read it: a placeholder keeps dbt's order
        empty = {t.task_id for t in tasks if type(t).__name__ == "EmptyOperator"}
        assert len(tasks) == len(stage_builds) + len(stage_tests) + len(empty), stage  # one task each
        mine = [n for n in buildable.values() if stage_of(n) == i]
        ephemeral = {n["name"] for n in mine if n["config"]["materialized"] == "ephemeral"}
        assert empty == {f"{stage}.{name}_model_build" for name in ephemeral}, stage
        expected = {"fqn:" + ".".join(n["fqn"]) for n in mine if n["name"] not in ephemeral}
        assert set(stage_builds) == expected, stage
        last_stage = {tests[uid]["name"] for uid in shared if max(stage_of(p) for p in parents[uid]) == i}
        assert set(stage_tests) == last_stage, stage
        for name, task in stage_tests.items():  # after every model of its stage that it reads
            (uid,) = [u for u in shared if tests[u]["name"] == name]
            reads = {f"{stage}.{p['name']}_{p['resource_type']}_build" for p in parents[uid] if stage_of(p) == i}
            assert reads <= task.upstream_task_ids, name
        builds |= stage_builds
        detached |= stage_tests
        n_ephemeral += len(ephemeral)
    assert len(builds) + n_ephemeral == len(buildable) and len(detached) == len(shared)
    assert all(task.vars == DBT_VARS for task in [*builds.values(), *detached.values()])  # the run's as-of
    # a test of one model runs inside that model's build; a shared test is excluded there (it has its task)
    for uid, test in tests.items():
        if uid in shared:
            for parent in parents[uid]:
                assert test["name"] in (builds["fqn:" + ".".join(parent["fqn"])].exclude or []), test["name"]
        elif parents[uid]:
            model_build = builds["fqn:" + ".".join(parents[uid][0]["fqn"])]
            assert test["name"] not in (model_build.exclude or []), test["name"]

    c360 = dag.get_task("dbt_marts.customer_360_model_build")
    assert DBT_VARS == {
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
