"""The dbt stages as Airflow tasks, one per model with its tests (astronomer-cosmos `DbtTaskGroup`).

A deployment sets `CVM_DBT_TASKS=cosmos`: every model (and seed) of a stage becomes its own task running
`dbt build --select <node>` (the model and its own tests), so a failing model is retried and logged on its own;
a test reading several models (relationships, reconciliations) is a `dbt test` task after all of them, in the
stage of the last one. The DAG is rendered from a
dbt manifest (`LoadMode.DBT_MANIFEST`), so parsing the DAG never runs dbt; `python -m cvm.dbt_tasks` writes
that manifest once (the image build does, and so does a first run). Locally (`cvm run`, the default
`CVM_DBT_TASKS=stage`) each stage stays one task running `dbt build --select tag:<stage>` in-process: one
dbt start instead of forty, with the per-model progress lines of `cvm.dbt`.

The warehouse comes from the environment or from Airflow: `CVM_DATABASE_URL`, else the Airflow connection
`cvm_warehouse` (e.g. `AIRFLOW_CONN_CVM_WAREHOUSE`); the dbt profile is built from it when a task runs.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from cvm.settings import PROJECT_ROOT, load_settings

log = logging.getLogger("cvm.dbt_tasks")
# cosmos reports every task and DAG run to its vendor's analytics endpoint unless told not to; a warehouse
# does not phone home (deployments set it too, in case cosmos was imported before this module)
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")

CONN_ID = "cvm_warehouse"
MODES = ("stage", "cosmos")
# stage -> the dbt selection it builds (seeds are the business configuration the prepare stage loads)
STAGE_SELECTS: dict[str, list[str]] = {
    "dbt_prepare": ["tag:config", "tag:prepare"],
    "dbt_customers": ["tag:customers"],
    "dbt_marts": ["tag:marts"],
}
# the run's as-of date and id, from the `start` task, as the dbt vars every model reads
DBT_VARS = {
    "as_of": "{{ ti.xcom_pull(task_ids='start')['as_of'] }}",
    "model_run_id": "{{ ti.xcom_pull(task_ids='start')['run_id'] }}",
}


def dbt_task_mode() -> str:
    mode = os.environ.get("CVM_DBT_TASKS", "stage").strip().lower() or "stage"
    if mode not in MODES:
        raise ValueError(f"CVM_DBT_TASKS={mode!r}: expected one of {', '.join(MODES)}")
    return mode


def manifest_path() -> Path:
    return Path(os.environ.get("CVM_DBT_MANIFEST") or PROJECT_ROOT / "dbt_project" / "target" / "manifest.json")


def use_airflow_connection() -> None:
    """Without `CVM_DATABASE_URL`, take the warehouse from the Airflow connection `cvm_warehouse` (if any)."""
    if os.environ.get("CVM_DATABASE_URL"):
        return
    try:
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(CONN_ID)
    except Exception:  # not defined: the settings fall back to PG* or the embedded server
        return
    os.environ["CVM_DATABASE_URL"] = conn.get_uri().replace("postgres://", "postgresql://", 1)


def write_manifest(target: Path | None = None) -> Path:
    """`dbt parse` into a scratch home (it needs a profile, never a connection) and keep the manifest."""
    from cvm.dbt import dbt_paths, run_dbt

    target = target or manifest_path()
    with tempfile.TemporaryDirectory(prefix="cvm-dbt-parse-") as scratch:
        settings = load_settings().with_(home=Path(scratch))
        run_dbt(settings, "postgresql://parse@localhost:5432/parse", ["parse"])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dbt_paths(settings)["target"] / "manifest.json", target)
    log.info("dbt manifest written to %s", target)
    return target


@cache
def _manifest_nodes(manifest: Path) -> dict[str, dict[str, Any]]:
    return json.loads(manifest.read_text())["nodes"]


def stage_of(node: dict[str, Any]) -> int | None:
    """Index in STAGE_SELECTS of the stage that builds a model or seed (None for other nodes)."""
    for i, selects in enumerate(STAGE_SELECTS.values()):
        if {s.removeprefix("tag:") for s in selects} & set(node.get("tags", [])):
            return i
    return None


def tests_of_later_stages(stage: str, manifest: Path) -> list[str]:
    """Tests reading a node of this stage and one of a later stage: they belong to the later stage, where all
    their parents exist (as `dbt build --select tag:<stage>` with buildable indirect selection has it)."""
    here = list(STAGE_SELECTS).index(stage)
    nodes = _manifest_nodes(manifest)
    later = []
    for node in nodes.values():
        if node["resource_type"] != "test":
            continue
        stages = {stage_of(nodes[p]) for p in node["depends_on"]["nodes"] if p in nodes} - {None}
        if here in stages and max(stages) > here:
            later.append(node["name"])
    return sorted(later)


def _profile_mapping() -> Any:
    from cosmos.profiles.postgres.user_pass import PostgresUserPasswordProfileMapping

    class WarehouseProfile(PostgresUserPasswordProfileMapping):
        """The `cvm` profile from the warehouse URL the tasks use, resolved when the task runs."""

        def _params(self) -> dict[str, Any]:
            from cvm.warehouse import connection_params, warehouse_url

            use_airflow_connection()
            return connection_params(warehouse_url(load_settings()))

        @property
        def profile(self) -> dict[str, Any]:
            p = self._params()
            return {
                "type": "postgres",
                "host": p["host"],
                "port": p["port"],
                "user": p["user"],
                "dbname": p["dbname"],
                "schema": "public",
                "threads": 1,
                "connect_timeout": 10,
                "password": self.get_env_var_format("password"),
            }

        @property
        def env_vars(self) -> dict[str, str]:
            return {
                self.get_env_var_name("password"): str(self._params()["password"] or ""),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            }

    return WarehouseProfile(conn_id=CONN_ID, profile_args={"schema": "public"})


def dbt_stage_group(stage: str, default_args: dict[str, Any]) -> Any:
    """One cosmos `DbtTaskGroup` for a dbt stage: a `dbt build` task per model and seed of its selection."""
    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior

    manifest = manifest_path()
    if not manifest.exists():
        raise FileNotFoundError(
            f"CVM_DBT_TASKS=cosmos renders the dbt tasks from {manifest}, which does not exist: "
            "run `python -m cvm.dbt_tasks` once (the image build does)"
        )
    group = DbtTaskGroup(
        group_id=stage,
        project_config=ProjectConfig(
            dbt_project_path=PROJECT_ROOT / "dbt_project", manifest_path=manifest, install_dbt_deps=False
        ),
        profile_config=ProfileConfig(profile_name="cvm", target_name="warehouse", profile_mapping=_profile_mapping()),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.LOCAL,
            invocation_mode=InvocationMode.DBT_RUNNER,
            dbt_executable_path=str(Path(sys.executable).with_name("dbt")),
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            select=STAGE_SELECTS[stage],
            test_behavior=TestBehavior.BUILD,
            # a test reading several models (relationships, reconciliations) is its own task after all of them
            should_detach_multiple_parents_tests=True,
            emit_datasets=False,
        ),
        operator_args={
            "vars": DBT_VARS,
            # a test reading models of a later stage waits for that stage (as `cvm.dbt` does)
            "dbt_cmd_flags": ["--indirect-selection", "buildable"],
        },
        default_args=default_args,
    )
    _drop_tests_of_later_stages(group, stage, manifest)
    return group


def _drop_tests_of_later_stages(group: Any, stage: str, manifest: Path) -> None:
    """Cosmos renders a test with several parents in the group of each parent it selects (its render-time
    `exclude` does not apply to tests), so a reconciliation of a seed with a mart would run in the prepare
    stage, before the mart exists. Such a test stays only in the group of its last stage."""
    later = set(tests_of_later_stages(stage, manifest))
    for task in list(group.children.values()):
        if getattr(task, "base_cmd", None) == ["test"] and task.select in later:
            for upstream in task.upstream_list:
                upstream.downstream_task_ids.discard(task.task_id)
            task.dag._remove_task(task.task_id)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(write_manifest(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
