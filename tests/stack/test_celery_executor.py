"""`cvm_pipeline` on Airflow's distributed executor, for real: a scheduler, a dag-processor, an api-server and a
Celery worker as separate processes, Redis as the broker and PostgreSQL as the metadata database and result
backend. The run is triggered through the REST API (v2) and the published marts are asserted.

Needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (user postgres, trust); skipped otherwise.
Everything it creates is private to the test: an AIRFLOW_HOME in a tmp dir, free ports, its own Celery queue,
its own metadata and warehouse databases (dropped at the end), and every process is killed at the end.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from cvm.publish import CONTRACT_TABLES
from cvm.settings import PROJECT_ROOT

pytestmark = [pytest.mark.celery, pytest.mark.slow]

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS = ("127.0.0.1", 6379)
AS_OF = date(2026, 10, 31)
CUSTOMERS = 60
RUN_TIMEOUT_S = 900
# stage: each dbt stage one task (CI default, ~5 min on 2 loaded cores); cosmos: one task per dbt model
DBT_TASKS = os.environ.get("CVM_CELERY_DBT_TASKS", "stage")


def _redis_answers() -> str | None:
    try:
        with socket.create_connection(REDIS, timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            reply = sock.recv(64)
    except OSError as exc:
        return f"no Redis on {REDIS[0]}:{REDIS[1]} ({exc})"
    return None if reply.startswith(b"+PONG") else f"Redis on {REDIS[0]}:{REDIS[1]} answered {reply!r}"


def _postgres_answers() -> str | None:
    try:
        psycopg.connect(PG_SERVER, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"no PostgreSQL with trust auth for postgres on 127.0.0.1:5432 ({str(exc).strip()[:120]})"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    """The processes of one Airflow deployment and how to reach its API."""

    home: Path
    env: dict[str, str]
    api: str
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    token: str = ""

    def start(self, name: str, *args: str) -> None:
        log = (self.home / f"{name}.out").open("wb")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "airflow", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the children (task runners) die with it
        )

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def died(self) -> list[str]:
        return [f"{name} exited with {proc.returncode}" for name, proc in self.procs.items() if proc.poll() is not None]

    def tails(self, lines: int = 40) -> str:
        out = []
        for path in sorted(self.home.glob("*.out")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(text))
        for path in sorted((self.home / "logs").rglob("*.log"))[-3:]:
            out.append(f"--- {path}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(out)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.api}{path}", data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return exc.code, {"detail": exc.read().decode(errors="replace")[:500]}

    def wait_for(self, what: str, probe, timeout: float) -> object:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if dead := self.died():
                pytest.fail(f"waiting for {what}: {', '.join(dead)}\n{self.tails()}")
            try:
                result = probe()
            except OSError:
                result = None
            if result:
                return result
            time.sleep(2)
        pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n{self.tails()}")


def _create_db(name: str) -> str:
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return PG_SERVER.rsplit("/", 1)[0] + f"/{name}"


def _drop_db(name: str) -> None:
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def _stack_env(home: Path, metadata_db: str, warehouse: str, api_port: int, queue: str) -> dict[str, str]:
    """A deployment's settings: the warehouse only as the Airflow connection `cvm_warehouse`."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CVM_", "PG"))}
    meta = metadata_db.split("://", 1)[1]
    return {
        **keep,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{meta}",
        # the async engine (api-server, triggerer) on psycopg 3, which the project has; asyncpg it has not
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": f"postgresql+psycopg://{meta}",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://{meta}",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,  # other sessions on the same Redis never take our tasks
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES": "cvm.*",
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
        "AIRFLOW__CELERY__WORKER_LOG_SERVER_PORT": str(_free_port()),
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(_free_port()),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # only the run the test triggers, no @daily run
        "AIRFLOW_CONN_CVM_WAREHOUSE": warehouse,
        "CVM_HOME": str(home / "cvm"),
        "CVM_DBT_TASKS": DBT_TASKS,
        "CVM_DBT_MANIFEST": str(home / "manifest.json"),
        "CVM_LANDING": str(home / "demo" / "landing"),
    }


@pytest.fixture(scope="module")
def celery_run(tmp_path_factory) -> Iterator[tuple[dict, str]]:
    for reason in (_redis_answers(), _postgres_answers()):
        if reason:
            pytest.skip(f"CeleryExecutor test needs Redis and PostgreSQL servers: {reason}")
    from cvm.demo import generate
    from cvm.warehouse import ensure_schemas

    home = tmp_path_factory.mktemp("airflow-celery")
    suffix = f"{os.getpid()}_{secrets.token_hex(3)}"
    meta_name, wh_name = f"cvm_test_airflow_{suffix}", f"cvm_test_celery_{suffix}"
    generate(home / "demo", customers=CUSTOMERS, seed=11, end_date=AS_OF)
    if DBT_TASKS == "cosmos":
        from cvm.dbt_tasks import write_manifest

        write_manifest(home / "manifest.json")
    api_port = _free_port()
    stack = None
    try:
        meta_url, warehouse = _create_db(meta_name), _create_db(wh_name)
        ensure_schemas(warehouse)
        stack = Stack(
            home, _stack_env(home, meta_url, warehouse, api_port, f"cvm_{suffix}"), f"http://127.0.0.1:{api_port}"
        )
        migrate = subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert migrate.returncode == 0, migrate.stderr[-2000:]
        stack.start("api-server", "api-server", "--port", str(api_port))
        stack.start("scheduler", "scheduler")
        stack.start("dag-processor", "dag-processor")
        stack.start(
            "worker",
            "celery",
            "worker",
            "--queues",
            stack.env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"],
            "--concurrency",
            "2",
        )

        def token() -> str | None:
            status, body = stack.request("GET", "/auth/token")
            return body.get("access_token") if status in (200, 201) else None

        stack.token = stack.wait_for("the api-server to hand out a token", token, 180)
        stack.wait_for(
            "the dag-processor to register cvm_pipeline",
            lambda: stack.request("GET", "/api/v2/dags/cvm_pipeline")[0] == 200,
            180,
        )
        status, body = stack.request("PATCH", "/api/v2/dags/cvm_pipeline", {"is_paused": False})
        assert status == 200, body
        conf = {"as_of": AS_OF.isoformat(), "landing": str(home / "demo" / "landing")}
        status, run = stack.request("POST", "/api/v2/dags/cvm_pipeline/dagRuns", {"logical_date": None, "conf": conf})
        assert status == 200, run

        def finished() -> dict | None:
            code, body = stack.request("GET", f"/api/v2/dags/cvm_pipeline/dagRuns/{run['dag_run_id']}")
            return body if code == 200 and body.get("state") in ("success", "failed") else None

        final = stack.wait_for("the dag run to finish", finished, RUN_TIMEOUT_S)
        _, tis = stack.request("GET", f"/api/v2/dags/cvm_pipeline/dagRuns/{run['dag_run_id']}/taskInstances?limit=500")
        final["task_states"] = {
            ti["task_id"] + (f"[{ti['map_index']}]" if ti.get("map_index", -1) >= 0 else ""): ti["state"]
            for ti in tis.get("task_instances", [])
        }
        final["hostnames"] = sorted({ti.get("hostname") or "" for ti in tis.get("task_instances", [])})
        final["executors"] = sorted({str(ti.get("executor") or "") for ti in tis.get("task_instances", [])})
        final["logs"] = stack.tails() if final["state"] != "success" else ""
        yield final, warehouse
    finally:
        if stack:
            stack.stop()
        _drop_db(wh_name)
        _drop_db(meta_name)


def _rows(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


def test_the_run_succeeds_on_the_celery_worker(celery_run) -> None:
    final, _ = celery_run
    assert final["state"] == "success", (final["task_states"], final["logs"])
    assert final["task_states"] and set(final["task_states"].values()) == {"success"}
    assert {"start", "publish", "marts_quality_gate"} <= set(final["task_states"])
    assert {"ingest[0]", "ingest[3]"} <= set(final["task_states"])  # mapped over crm, finance, marketing, service
    if DBT_TASKS == "cosmos":
        assert "dbt_marts.customer_360_model_build" in final["task_states"]


MONTHLY_EVALUATION_VIEWS = {"segment_evaluation_monthly", "segment_migrations_monthly", "segment_uplift_monthly"}
# 60 customers give fewer than 10 best buyers to learn from: the lookalike model declines and says why
TOO_FEW_BUYERS_AT_60 = {"prospect_lookalikes"}


def test_the_marts_are_published(celery_run) -> None:
    final, warehouse = celery_run
    assert final["state"] == "success"
    for table in CONTRACT_TABLES:
        (count,) = _rows(warehouse, f"select count(*) from marts.{table}")[0]
        # the monthly evaluation fills its views by its own DAG (cvm_monthly_evaluation), not this run
        assert count > 0 or table in MONTHLY_EVALUATION_VIEWS | TOO_FEW_BUYERS_AT_60, table
    n_dim, n_360, n_segmented = _rows(
        warehouse,
        """
        select (select count(*) from marts.dim_customer), (select count(*) from marts.customer_360),
               (select count(*) from marts.customer_360 where segment is not null)""",
    )[0]
    assert n_dim == n_360 == n_segmented
    # the demo's customers are found again, give or take the duplicates the linkage may leave apart
    assert CUSTOMERS * 0.8 <= n_dim <= CUSTOMERS * 1.5, n_dim
    status, as_of = _rows(warehouse, "select status, as_of from ops.pipeline_runs order by started_at desc limit 1")[0]
    assert (status, as_of) == ("published", AS_OF)


def test_every_dashboard_card_runs_as_the_read_only_bi_role(celery_run) -> None:
    """What Metabase will ask, asked as cvm_reader (the only role of the BI login) on the published marts."""
    from test_dashboards import dashboard_cards

    final, warehouse = celery_run
    assert final["state"] == "success"
    with psycopg.connect(warehouse) as conn:
        conn.execute("set role cvm_reader")
        for board, card in dashboard_cards():
            rows = conn.execute(card["sql"]).fetchall()  # runs as cvm_reader: the grants are right
            if not MONTHLY_EVALUATION_VIEWS & set(re.findall(r"marts\.(\w+)", card["sql"])):
                assert rows, (board, card["name"])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select count(*) from raw.finance_invoices")
