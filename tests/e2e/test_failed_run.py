"""A run that fails on bad input publishes nothing, says why in one line, and simply re-runs once the input
is fixed — through the real Airflow DAG."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from cvm.cli import main

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AS_OF = date(2026, 10, 31)


def _published_tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
    return [r[0] for r in rows]


def test_bad_delivery_fails_the_run_publishes_nothing_and_a_rerun_succeeds(
    tmp_path, airflow_settings, warehouse_url, monkeypatch, capsys
) -> None:
    from cvm.demo import generate

    generate(tmp_path / "demo", customers=60, seed=11, end_date=AS_OF)
    landing = tmp_path / "demo" / "landing"
    bad = landing / "finance" / "invoices" / "2026-10-31_manual.csv"
    bad.write_text("invoice_number,invoice_date,amount_excl_vat,status\nX1,2026-10-01,10.00,paid\n")
    monkeypatch.setenv("CVM_DATABASE_URL", warehouse_url)
    monkeypatch.setenv("CVM_HOME", str(airflow_settings.home))

    argv = ["run", "--landing", str(landing), "--as-of", AS_OF.isoformat()]
    assert main(argv) == 1
    out, err_text = capsys.readouterr()
    err = err_text.strip().splitlines()[-1]
    assert err.startswith("cvm: error:") and "ingest" in err
    assert "No tasks to run" not in out + err_text  # Airflow's idle warnings after a failed task are dropped
    assert "Traceback" not in out + err_text
    assert "loading Airflow" in out
    assert "finance/invoices/2026-10-31_manual.csv" in err and "debtor_number" in err
    assert _published_tables(warehouse_url) == []  # nothing published
    with psycopg.connect(warehouse_url) as conn:
        status, rejected = conn.execute(
            "select r.status, (select count(*) from raw.load_audit where status = 'rejected') "
            "from ops.pipeline_runs r order by started_at desc limit 1"
        ).fetchone()
    assert (status, rejected) == ("failed", 1)

    bad.unlink()  # the data engineer fixes the input and simply re-runs
    assert main(argv) == 0
    capsys.readouterr()
    assert "customer_360" in _published_tables(warehouse_url)
    with psycopg.connect(warehouse_url) as conn:
        (invoices,) = conn.execute("select count(*) from marts.customer_360 where revenue_12m > 0").fetchone()
    assert invoices > 0
