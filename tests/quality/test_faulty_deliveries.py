"""Issue 12, findings 1-3: a faulty delivery is caught, named with file, row and column, and stays caught
until it is fixed or released; real loads, the real gate, a real PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cvm.cli import main
from cvm.errors import DeliveryError, QualityGateError
from cvm.ingest import load_landing
from cvm.quality import check_raw
from cvm.quality.deliveries import require_all_passed

HEADER = "invoice_number;debtor_number;invoice_date;due_date;paid_date;amount_excl_vat;vat_amount;cost_amount;status\n"


@pytest.fixture
def landing(tmp_path: Path, conn) -> Path:
    conn.execute("drop schema if exists raw cascade")
    path = tmp_path / "landing"
    path.mkdir()
    return path


def deliver(landing: Path, relative: str, text: str) -> None:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def invoices(n: int, date: str = "2026-01-05", amount: str = "1234,56") -> str:
    return "".join(f"F{i};D1;{date};;;{amount};259,26;800,00;paid\n" for i in range(n))


def flagged(conn) -> list[tuple]:
    return conn.execute(
        "select source_file, row_number, column_name, value from raw.flagged_values order by row_number, column_name"
    ).fetchall()


def test_a_point_amount_in_a_decimal_comma_file_is_flagged_never_multiplied(settings, warehouse_url, conn, landing):
    """Finding 1: `100.00` among `1234,56` amounts was published as 10000."""
    deliver(
        landing, "finance/invoices/2026-01.csv", HEADER + invoices(5) + "F9;D1;2026-01-09;;;100.00;21,00;50,00;paid\n"
    )
    ids = load_landing(warehouse_url, landing).load_ids
    assert conn.execute("select decimal_separator from raw.load_audit").fetchone() == (",",)
    result = check_raw(settings, warehouse_url, ids)
    assert not result.passed
    assert flagged(conn) == [("finance/invoices/2026-01.csv", 6, "amount_excl_vat", "100.00")]
    message = result.summary()
    assert message.splitlines()[0].startswith("raw quality gate FAILED: 1 of ")
    assert "(1 failing rows) in raw.finance_invoices" in message.splitlines()[0]
    assert "1 values flagged in raw.flagged_values (unreadable or not allowed)" in message.splitlines()[0]
    assert "finance/invoices/2026-01.csv row 6: '100.00'" in message
    # the one definition staging uses reads the comma amounts and refuses the point one
    values = conn.execute(
        "select raw.cvm_amount(amount_excl_vat, ',') from raw.finance_invoices order by _row_number"
    ).fetchall()
    assert [v for (v,) in values] == [Decimal("1234.56")] * 5 + [None]
    assert conn.execute("select gate_status from raw.load_audit").fetchone() == ("blocked",)


def test_a_date_that_does_not_exist_blocks_even_under_the_one_percent_tolerance(settings, warehouse_url, conn, landing):
    """Finding 2: `2026-02-30` dropped out of revenue; `mostly: 0.99` let it through."""
    deliver(
        landing, "finance/invoices/2026-02.csv", HEADER + invoices(150) + "F999;D1;2026-02-30;;;10,00;2,10;5,00;paid\n"
    )
    result = check_raw(settings, warehouse_url, load_landing(warehouse_url, landing).load_ids)
    assert not result.passed
    [failure] = result.failures
    assert failure.expectation.startswith("expect_column_values_to_be_null(invoice_date__invalid")
    assert failure.examples == ("finance/invoices/2026-02.csv row 151: '2026-02-30'",)
    assert flagged(conn) == [("finance/invoices/2026-02.csv", 151, "invoice_date", "2026-02-30")]


def test_dutch_dates_that_staging_reads_pass_the_gate(settings, warehouse_url, conn, landing):
    """Finding 2: `31-12-2025` was read by staging but counted invalid by the gate."""
    deliver(landing, "finance/invoices/2025-12.csv", HEADER + invoices(20, date="31-12-2025"))
    result = check_raw(settings, warehouse_url, load_landing(warehouse_url, landing).load_ids)
    assert result.passed, result.summary()
    assert flagged(conn) == []
    dates = conn.execute("select distinct raw.cvm_date(invoice_date) from raw.finance_invoices").fetchall()
    assert [str(d) for (d,) in dates] == ["2025-12-31"]


def test_a_blocked_delivery_stays_blocked_until_released_on_record(
    settings, warehouse_url, conn, landing, monkeypatch, capsys
):
    """Finding 3: re-running the same landing zone skipped the blocked delivery and published it."""
    deliver(landing, "finance/invoices/2026-03.csv", HEADER + invoices(3) + "F7;D1;2026-03-01;;;-93658,74;0;0;paid\n")
    [load_id] = load_landing(warehouse_url, landing).load_ids
    with pytest.raises(QualityGateError):
        check_raw(settings, warehouse_url, [load_id]).raise_if_blocking()

    rerun = load_landing(warehouse_url, landing)  # identical file: skipped, nothing new loaded
    assert rerun.load_ids == [] and [d.status for d in rerun.deliveries] == ["skipped"]
    again = check_raw(settings, warehouse_url, rerun.load_ids)  # ... but the blocked load is checked again
    assert again.checked_loads == [load_id] and not again.passed
    # the example names file and row and shows the amount as read, not as a Python repr
    assert again.failures[0].examples == ("finance/invoices/2026-03.csv row 4: -93658.74",)
    with pytest.raises(
        DeliveryError,
        match=rf"not published: 1 deliveries .* load {load_id} "
        r"finance/invoices/2026-03.csv \(blocked\)",
    ):
        require_all_passed(warehouse_url)

    monkeypatch.setenv("CVM_DATABASE_URL", warehouse_url)
    monkeypatch.setenv("CVM_HOME", str(settings.home))
    with pytest.raises(SystemExit):  # a release without a reason is refused
        main(["delivery", "release", str(load_id)])
    assert main(["delivery", "release", str(load_id), "--reason", "credit note, confirmed by finance"]) == 0
    assert "released" in capsys.readouterr().out
    row = conn.execute(
        "select gate_status, released_reason, released_at is not null from raw.load_audit where load_id = %s",
        (load_id,),
    ).fetchone()
    assert row == ("released", "credit note, confirmed by finance", True)
    require_all_passed(warehouse_url)  # no exception
    assert check_raw(settings, warehouse_url, []).checked_loads == []
    assert main(["delivery", "release", str(load_id), "--reason", "again"]) == 1  # not blocked any more


def test_a_corrected_file_under_the_same_name_replaces_the_blocked_delivery(settings, warehouse_url, conn, landing):
    deliver(landing, "finance/invoices/2026-04.csv", HEADER + invoices(2) + "F7;D1;2026-04-01;;;-5,00;0;0;paid\n")
    [bad] = load_landing(warehouse_url, landing).load_ids
    assert not check_raw(settings, warehouse_url, [bad]).passed
    deliver(landing, "finance/invoices/2026-04.csv", HEADER + invoices(2) + "F7;D1;2026-04-01;;;5,00;0;0;paid\n")
    [good] = load_landing(warehouse_url, landing).load_ids
    assert check_raw(settings, warehouse_url, [good]).passed
    audit = conn.execute("select load_id, status, gate_status, replaced_by from raw.load_audit order by 1").fetchall()
    assert audit == [(bad, "replaced", "blocked", good), (good, "loaded", "passed", None)]
    amounts = conn.execute("select amount_excl_vat from raw.finance_invoices where invoice_number = 'F7'").fetchall()
    assert amounts == [("5,00",)]
    require_all_passed(warehouse_url)
