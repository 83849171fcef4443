"""JSONL and Parquet deliveries; a load killed with SIGKILL mid-COPY leaves nothing and re-runs cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cvm.ingest import load_landing

pytestmark = pytest.mark.usefixtures("fresh_raw")
ROOT = Path(__file__).resolve().parents[2]


def test_jsonl_delivery_keeps_literal_values(warehouse_url, landing, deliver, conn):
    deliver(
        "marketing/events/e.jsonl",
        '{"event_id": "E1", "subscriber_id": "M1", "event_type": "open",'
        ' "occurred_at": "2026-01-01T10:00:00", "cost": 0.10, "device": {"os": "ios"}}\n'
        "\n"
        "not json\n"
        '{"event_id": 2, "subscriber_id": "M2", "event_type": "click", "occurred_at": "2026-01-02",'
        ' "cost": null, "campaign_id": 17}\n'
        "[1, 2]\n",
    )
    [d] = load_landing(warehouse_url, landing).deliveries
    assert (d.status, d.rows_loaded, d.rows_quarantined) == ("loaded", 2, 2)
    rows = conn.execute(
        "select event_id, cost, campaign_id, _row_number, _extra from raw.marketing_events order by _row_number"
    ).fetchall()
    assert rows == [("E1", "0.10", None, 1, {"device": {"os": "ios"}}), ("2", None, "17", 3, None)]
    reasons = [r[0] for r in conn.execute("select reason from raw.quarantine order by row_number")]
    assert reasons[0].startswith("marketing/events/e.jsonl row 2: not valid JSON")
    assert reasons[1] == "marketing/events/e.jsonl row 4: expected a JSON object, got list"


def test_jsonl_without_a_required_key_is_rejected(warehouse_url, landing, deliver, conn):
    deliver("marketing/events/e.jsonl", '{"event_id": "E1", "subscriber_id": "M1", "occurred_at": "2026-01-01"}\n')
    [d] = load_landing(warehouse_url, landing).rejected
    assert "marketing/events/e.jsonl: missing required column(s) event_type" in d.error
    assert conn.execute("select count(*) from raw.marketing_events").fetchone()[0] == 0


def test_parquet_delivery(warehouse_url, landing, conn):
    path = landing / "finance" / "invoices" / "2026-10-01.parquet"
    path.parent.mkdir(parents=True)
    table = pa.table(
        {
            "invoice_number": ["I1", "I2", "I3"],
            "debtor_number": ["D1", "D1", None],
            "invoice_date": pa.array([19000, 19001, 19002], pa.date32()),
            "amount_excl_vat": [100.5, 0.0, 12.25],
            "status": ["paid", "open", ""],
            "batch": [1, 2, 3],
        }
    )
    pq.write_table(table, path, row_group_size=2)
    [d] = load_landing(warehouse_url, landing).deliveries
    assert (d.status, d.rows_loaded) == ("loaded", 3)
    rows = conn.execute(
        "select invoice_number, debtor_number, invoice_date, amount_excl_vat, status,"
        " _row_number, _extra from raw.finance_invoices order by _row_number"
    ).fetchall()
    assert rows == [
        ("I1", "D1", "2022-01-08", "100.5", "paid", 1, {"batch": "1"}),
        ("I2", "D1", "2022-01-09", "0", "open", 2, {"batch": "2"}),
        ("I3", None, "2022-01-10", "12.25", "", 3, {"batch": "3"}),
    ]


def _big_invoices(path: Path, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        fh.write("invoice_number,debtor_number,invoice_date,due_date,amount_excl_vat,vat_amount,status\n")
        line = "INV-{0:09d},D{1:06d},2026-01-05,2026-02-04,{2}.50,{3}.21,paid\n"
        fh.writelines(line.format(i, i % 20000, i % 9000, i % 1900) for i in range(1, rows + 1))


LOADER = (
    "import sys; from pathlib import Path; from cvm.ingest import load_landing; "
    "load_landing(sys.argv[1], Path(sys.argv[2]))"
)


@pytest.mark.slow
def test_sigkill_mid_load_then_rerun_loads_exactly_once(warehouse_url, landing, conn):
    rows = 1_500_000
    _big_invoices(landing / "finance" / "invoices" / "2026-10-01_full.csv", rows)
    proc = subprocess.Popen([sys.executable, "-c", LOADER, warehouse_url, str(landing)], cwd=ROOT)
    deadline = time.monotonic() + 60
    started = None
    while time.monotonic() < deadline and started is None:
        try:
            started = conn.execute("select load_id from raw.load_audit where finished_at is null").fetchone()
        except Exception:  # noqa: BLE001 - the raw schema may not exist yet
            started = None
        time.sleep(0.02)
    assert started, "the loader never started"
    time.sleep(0.3)  # well into the COPY (a full load takes seconds)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    status, error = conn.execute("select status, error from raw.load_audit where load_id = %s", started).fetchone()
    assert status == "failed" and error.startswith("interrupted")
    report = load_landing(warehouse_url, landing)  # waits for the dead session's lock, then loads again
    [d] = report.deliveries
    assert (d.status, d.rows_loaded) == ("loaded", rows) and d.load_id > started[0]
    count, distinct, lo, hi, loads = conn.execute(
        "select count(*), count(distinct invoice_number), min(_row_number), max(_row_number),"
        " count(distinct _load_id) from raw.finance_invoices"
    ).fetchone()
    assert (count, distinct, lo, hi, loads) == (rows, rows, 1, rows, 1)
    assert [d.status for d in load_landing(warehouse_url, landing).deliveries] == ["skipped"]
