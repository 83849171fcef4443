"""cvm.retention on a real PostgreSQL: daily runs keep only the model rows that a later run reads."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest

from cvm import runlog
from cvm.evaluation.runs import covering_run
from cvm.retention import prune_runs
from cvm.settings import load_settings
from ml import io


def _publish(url: str, run_id: str, as_of: date, status: str = "published") -> None:
    """A run as the pipeline leaves it: the run log row and its per-run model rows (two customers)."""
    runlog.start_run(url, run_id, as_of.isoformat(), "/landing")
    with psycopg.connect(url) as conn:
        io.ensure_ml_tables(conn)
        for customer in ("C1", "C2"):
            conn.execute(
                "insert into ml.segment_history (model_run_id, customer_id, month, segment) values (%s, %s, %s, 'x')",
                (run_id, customer, as_of.replace(day=1)),
            )
            conn.execute(
                "insert into ml.customer_scores (model_run_id, as_of_date, customer_id) values (%s, %s, %s)",
                (run_id, as_of, customer),
            )
    runlog.finish_run(url, run_id, status, {})


def _runs_in(url: str, table: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute(f"select distinct model_run_id from {table}")}  # noqa: S608


def test_daily_runs_keep_the_last_n_and_every_month_evaluation_reads(warehouse_url: str) -> None:
    url = warehouse_url
    # daily runs 2026-09-28 .. 2026-10-12: a month end (09-30) falls between them; one run failed
    days = [date(2026, 9, 28) + timedelta(days=i) for i in range(15)]
    for day in days:
        _publish(url, f"run-{day}", day, status="failed" if day == date(2026, 10, 5) else "published")
    current = f"run-{days[-1]}"

    summary = prune_runs(url, current, keep_runs=3)

    kept = {"run-2026-10-10", "run-2026-10-11", "run-2026-10-12", "run-2026-09-28", "run-2026-09-30"}
    for table in ("ml.segment_history", "ml.customer_scores"):
        assert _runs_in(url, table) == kept, table
    # 15 runs x 2 customers in two tables, 5 runs kept
    assert summary.deleted == (15 - 5) * 2 * 2
    assert summary.kept_runs == 5
    # what the monthly evaluation reads for September is still there
    target = covering_run(url, date(2026, 9, 1))
    assert target is not None and target.model_run_id == "run-2026-09-30"
    assert target.model_run_id in _runs_in(url, "ml.segment_history")

    # the next day: the oldest of the last three goes, the month's covering runs stay; a second prune is a no-op
    _publish(url, "run-2026-10-13", date(2026, 10, 13))
    prune_runs(url, "run-2026-10-13", keep_runs=3)
    assert _runs_in(url, "ml.segment_history") == kept - {"run-2026-10-10"} | {"run-2026-10-13"}
    assert prune_runs(url, "run-2026-10-13", keep_runs=3).deleted == 0


def test_a_run_recorded_by_the_evaluation_is_kept(warehouse_url: str) -> None:
    url = warehouse_url
    with psycopg.connect(url) as conn:
        conn.execute("create table if not exists ops.evaluation_runs (month date, model_run_id text)")
        conn.execute("insert into ops.evaluation_runs values ('2026-10-01', 'run-2026-10-11')")
    prune_runs(url, "run-2026-10-13", keep_runs=1)
    assert "run-2026-10-11" in _runs_in(url, "ml.segment_history")
    assert "run-2026-10-12" not in _runs_in(url, "ml.segment_history")


def test_keep_runs_is_validated() -> None:
    with pytest.raises(ValueError, match="CVM_KEEP_RUNS must be a whole number of at least 1, not '0'"):
        load_settings({"CVM_KEEP_RUNS": "0"})
    assert load_settings({"CVM_KEEP_RUNS": "7"}).keep_runs == 7
    assert load_settings({}).keep_runs == 3


def test_plan_history_keeps_recent_plans_and_each_months_last(warehouse_url: str) -> None:
    """Daily plans: the last N publications stay, and per month the latest version of its last as-of date (the
    plan the monthly evaluation compares the next month with); superseded daily plans in between go."""
    url = warehouse_url
    table = "history.contact_plan_history"
    with psycopg.connect(url) as conn:
        conn.execute("create schema if not exists history")
        conn.execute(f"drop table if exists {table}")
        conn.execute(
            f"create table {table} (as_of_date date, model_run_id text, published_at timestamptz, "
            "contact_plan_id text, customer_id text, planned_date date)"
        )
        versions = [(date(2026, 9, 29) + timedelta(days=i), f"2026-12-{1 + i:02d} 06:00+00") for i in range(6)]
        versions.append((date(2026, 9, 30), "2026-12-20 06:00+00"))  # a re-run as of 09-30, published later
        for as_of, published_at in versions:
            for customer in ("C1", "C2"):
                conn.execute(
                    f"insert into {table} values (%s, %s, %s, %s, %s, %s)",  # noqa: S608
                    (as_of, f"run-{as_of}", published_at, f"P-{customer}", customer, as_of),
                )

    summary = prune_runs(url, "run-2026-10-04", keep_runs=2)

    with psycopg.connect(url) as conn:
        left = set(conn.execute(f"select distinct as_of_date, published_at::date from {table}").fetchall())  # noqa: S608
    assert left == {
        # September's last as-of in its latest version (the re-run): what October is compared with; also the
        # most recent publication
        (date(2026, 9, 30), date(2026, 12, 20)),
        # the second most recent publication, and October's last as-of so far
        (date(2026, 10, 4), date(2026, 12, 6)),
    }
    # 7 versions x 2 rows: 09-29, 09-30 (first version), 10-01, 10-02, 10-03 deleted
    assert summary.deleted_rows[table] == 5 * 2
    assert prune_runs(url, "run-2026-10-04", keep_runs=2).deleted_rows[table] == 0


def test_gx_keeps_the_newest_results_of_each_suite_and_their_pages(tmp_path) -> None:
    """GX never deletes a validation result and its Data Docs index reads them all: keep the newest per suite."""
    from cvm.retention import prune_gx_results

    stamps = [f"20261204T16{m:02d}00.000000Z" for m in range(5)]
    for suite in ("raw/crm_activities", "marts/dim_customer"):
        for stamp in stamps:
            result = tmp_path / "uncommitted/validations" / suite / "__none__" / stamp / "batch.json"
            page = tmp_path / "uncommitted/data_docs/local_site/validations" / suite / "__none__" / stamp / "batch.html"
            for path in (result, page):
                path.parent.mkdir(parents=True)
                path.write_text("{}")
    (tmp_path / "uncommitted/validations/.ge_store_backend_id").write_text("id")
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints/raw_gate.json").write_text("{}")

    assert prune_gx_results(tmp_path, keep_runs=2) == 2 * 2 * 3
    for store in ("uncommitted/validations", "uncommitted/data_docs/local_site/validations"):
        for suite in ("raw/crm_activities", "marts/dim_customer"):
            left = sorted(p.name for p in (tmp_path / store / suite / "__none__").iterdir())
            assert left == stamps[-2:], (store, suite)
    assert (tmp_path / "uncommitted/validations/.ge_store_backend_id").exists()
    assert (tmp_path / "checkpoints/raw_gate.json").exists()
    assert prune_gx_results(tmp_path, keep_runs=2) == 0
    with pytest.raises(ValueError, match="keep_runs"):
        prune_gx_results(tmp_path, keep_runs=0)
