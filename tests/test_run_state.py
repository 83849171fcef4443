"""Issue 12 finding 6-7 and issue 7's error hierarchy: honest run state, one-line errors, no retries for
what the user must fix."""

from __future__ import annotations

import importlib.util
import logging
import socket
import subprocess
import sys

import psycopg
import pytest

from cvm import runlog
from cvm.cli import main
from cvm.errors import ConfigError, DeliveryError, QualityGateError, UserError, is_user_error
from cvm.settings import PROJECT_ROOT


def test_everything_a_user_can_fix_is_one_user_error():
    from cvm.ingest import IngestError
    from cvm.pipeline import DataError
    from cvm.quality import QualityGateError as GateError
    from ml.config import ConfigError as SeedError

    assert SeedError is ConfigError and GateError is QualityGateError and DataError is UserError
    for error in (IngestError, DeliveryError, QualityGateError, ConfigError):
        assert issubclass(error, UserError)
    assert is_user_error(RuntimeError("wrapped").with_traceback(None)) is False
    wrapped = RuntimeError("task failed")
    wrapped.__cause__ = ConfigError("model_settings.csv row 3: churn_threshold='hoog' is not a number")
    assert is_user_error(wrapped)


def test_a_bad_seed_fails_the_airflow_task_at_once_and_an_outage_is_retried():
    from airflow.sdk.exceptions import AirflowFailException

    spec = importlib.util.spec_from_file_location("cvm_dag_under_test", PROJECT_ROOT / "dags" / "cvm_pipeline.py")
    dag_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dag_module)
    ctx = {"run_id": "r", "as_of": "2026-10-31", "landing": "/nowhere"}

    def bad_seed(_ctx):
        raise ConfigError("dbt_project/seeds/model_settings.csv row 4: churn_threshold='hoog' is not a number")

    def outage(_ctx):
        raise OSError("connection refused")

    with pytest.raises(AirflowFailException, match="model_settings.csv row 4"):  # no retries
        dag_module._run(bad_seed, ctx)
    with pytest.raises(OSError):  # Airflow retries this one
        dag_module._run(outage, ctx)


def test_a_run_whose_process_died_is_marked_abandoned_by_the_next(warehouse_url):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    runlog.start_run(warehouse_url, "killed-run", "2026-10-31", "/landing")
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute(
            "update ops.pipeline_runs set pid = %s, host = %s where run_id = 'killed-run'",
            (dead.pid, socket.gethostname()),
        )
    runlog.start_run(warehouse_url, "next-run", "2026-10-31", "/landing")
    with psycopg.connect(warehouse_url) as conn:
        states = dict(conn.execute("select run_id, status from ops.pipeline_runs").fetchall())
    assert states == {"killed-run": "abandoned", "next-run": "running"}


def test_an_empty_landing_zone_fails_at_once_in_one_line(settings, warehouse_url, tmp_path, monkeypatch, capsys):
    landing = tmp_path / "empty_landing"
    (landing / "crm").mkdir(parents=True)
    monkeypatch.setenv("CVM_DATABASE_URL", warehouse_url)
    monkeypatch.setenv("CVM_HOME", str(settings.home))
    monkeypatch.delenv("CVM_DEBUG", raising=False)
    for name in ("cvm", "ml"):  # an earlier Airflow test in this session may have left handlers on dead streams
        monkeypatch.setattr(logging.getLogger(name), "handlers", [])
        monkeypatch.setattr(logging.getLogger(name), "propagate", True)
    assert main(["run", "--no-airflow", "--landing", str(landing), "--as-of", "2026-10-31"]) == 1
    out, err = capsys.readouterr()
    assert err.strip().splitlines() == [
        f"cvm: error: no deliveries under {landing} (expected "
        "<system>/<entity>/<file>.csv|.csv.gz|.jsonl|.parquet, e.g. "
        "finance/invoices/2026-10-31.csv)"
    ]
    assert "Traceback" not in out + err
    with psycopg.connect(warehouse_url) as conn:
        status, stages = conn.execute(
            "select status, stages from ops.pipeline_runs order by started_at desc limit 1"
        ).fetchone()
    assert status == "failed" and list(stages) == ["ingest"] and stages["ingest"]["status"] == "failed"
