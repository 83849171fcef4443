"""Run the real `cvm_pipeline` DAG locally: an Airflow home under `.cvm/airflow`, a SQLite metadata
database migrated once, and `dag.test()` executing every task in this process.

Airflow reads its configuration from the environment at import time, so `configure()` must run before
anything imports airflow; the CLI imports this module lazily for that reason.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from cvm.settings import Settings

log = logging.getLogger("cvm.airflow")

DAG_ID = "cvm_pipeline"


def airflow_env(settings: Settings) -> dict[str, str]:
    """The AIRFLOW__* variables of the local Airflow home (also used by the DAG tests)."""
    home = settings.airflow_home
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.dags_dir),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES": "cvm.*",
        # cosmos reads the OpenLineage namespace and warns on every start when it is unset
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "cvm",
        # Airflow's own INFO chatter drowns the stage lines; the cvm/ml loggers stay at INFO.
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        # A failed task's traceback is Airflow's (logger `task`); the stages log their own failure, with the
        # traceback only for unexpected errors, so bad data reads as one line. CVM_DEBUG=1 shows everything.
        "AIRFLOW__LOGGING__NAMESPACE_LEVELS": "cvm=INFO ml=INFO"
        + ("" if os.environ.get("CVM_DEBUG") else " task=CRITICAL"),
    }


def configure(settings: Settings) -> None:
    """Point this process (and its task code) at the local Airflow home and at the warehouse."""
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    os.environ.update(airflow_env(settings))
    # Tasks run in this process and read their settings from the environment.
    os.environ["CVM_HOME"] = str(settings.home)
    os.environ["CVM_LANDING"] = str(settings.landing)
    if settings.database_url:
        os.environ["CVM_DATABASE_URL"] = settings.database_url


def ensure_metadata_db(settings: Settings) -> None:
    """`airflow db migrate` once per Airflow version (about 15 s the first time, nothing after)."""
    import airflow

    marker = settings.airflow_home / f".migrated-{airflow.__version__}"
    if marker.exists():
        return
    log.info("initialising the Airflow metadata database in %s (first run only, about 15 s)", settings.airflow_home)
    env = {**os.environ, **airflow_env(settings)}
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).splitlines()[-15:])
        raise RuntimeError(f"airflow db migrate failed:\n{tail}")
    marker.write_text(datetime.now(UTC).isoformat())


def show_stage_progress() -> None:
    """Airflow takes over logging at import; give the cvm/ml loggers their own console handler so the
    per-stage lines (counts, timings) stay visible while Airflow's own chatter stays at WARNING."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)-14s %(message)s", datefmt="%H:%M:%S"))
    for name in ("cvm", "ml"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False


class _NoIdleWarnings(logging.Filter):
    """`dag.test()` warns "No tasks to run" once a second after a task failed and its downstream tasks wait
    for nothing; the failure itself is already reported, so `cvm run` drops that noise (not with CVM_DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("No tasks to run")


def quiet_airflow_noise() -> None:
    """Drop warnings about Airflow's and cosmos' own set-up that a `cvm run` user cannot act on (not with
    CVM_DEBUG): "No tasks to run", cosmos' hint to install OpenLineage, a deprecation inside the standard
    provider."""
    if not os.environ.get("CVM_DEBUG"):
        logging.getLogger("airflow.sdk.definitions.dag").addFilter(_NoIdleWarnings())
        logging.getLogger("cosmos").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", message=".*determine_kwargs.*")


def load_dag(settings: Settings, dag_id: str = DAG_ID):  # noqa: ANN201 - airflow.sdk.DAG, imported lazily
    path = settings.dags_dir / f"{dag_id}.py"
    spec = importlib.util.spec_from_file_location(f"cvm_dags_{dag_id}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for value in vars(module).values():
        if getattr(value, "dag_id", None) == dag_id and hasattr(value, "test"):
            return value
    raise RuntimeError(f"{path} defines no DAG {dag_id}")


@dataclass(frozen=True)
class DagRunResult:
    state: str
    run_id: str
    seconds: float
    failed_tasks: list[str]


def run_pipeline_dag(settings: Settings, as_of: date | None, landing: Path | None) -> DagRunResult:
    """Execute one run of `cvm_pipeline` through Airflow's `dag.test()`."""
    conf = {
        "as_of": as_of.isoformat() if as_of else None,
        "landing": str(landing) if landing else None,
    }
    return run_dag_locally(settings, DAG_ID, conf)


def run_evaluation_dag(settings: Settings, month: date, language: str | None = None) -> DagRunResult:
    """Execute one run of `cvm_monthly_evaluation` for a month through `dag.test()` (what `cvm evaluate` does)."""
    return run_dag_locally(settings, "cvm_monthly_evaluation", {"month": f"{month:%Y-%m}", "language": language})


def run_dag_locally(settings: Settings, dag_id: str, conf: dict[str, str | None]) -> DagRunResult:
    """One local run of a DAG of the project through Airflow's `dag.test()`, tasks in this process."""
    configure(settings)
    # dag.test() imports FastAPI's test client, which warns about its own httpx dependency: not ours to fix
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    print("loading Airflow ...", flush=True)  # importing it takes seconds; it takes over logging meanwhile
    import airflow  # noqa: F401

    show_stage_progress()
    ensure_metadata_db(settings)
    log.info("loading the DAG %s", dag_id)
    quiet_airflow_noise()
    dag = load_dag(settings, dag_id)
    show_stage_progress()
    for task in dag.tasks:  # interactive run: fail fast, the user re-runs (deployments keep retries)
        task.retries = 0
    logical = datetime.now(UTC)
    started = time.perf_counter()
    # dag.test() serialises the DAG and creates the run before the first task: tens of seconds on a busy machine
    log.info("starting a run of %s (Airflow prepares it; each stage reports when it starts)", dag_id)
    dag_run = dag.test(logical_date=logical, run_conf=conf)
    seconds = time.perf_counter() - started
    failed = [
        ti.task_id for ti in dag_run.get_task_instances() if str(ti.state) in ("failed", "TaskInstanceState.FAILED")
    ]
    state = str(getattr(dag_run.state, "value", dag_run.state))
    return DagRunResult(state=state, run_id=dag_run.run_id, seconds=seconds, failed_tasks=failed)
