"""The raw gate's SQL: narrow tables of the checked columns, each value parsed once, and the shared parse
functions' fast paths agreeing with the calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from cvm.contract import BY_NAME
from cvm.ingest import ensure_raw_schema, load_landing
from cvm.quality import check_raw
from cvm.quality.gate import SESSION_OPTIONS, sqlalchemy_url
from cvm.quality.queries import GATE_SCHEMA, checked_columns, in_load_columns, materialise, unique_keys
from cvm.quality.suites import read_suites

REPO = Path(__file__).resolve().parents[2]
INVOICES = BY_NAME["finance_invoices"]


def _exp(type_: str, **kwargs) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": {"severity": "blocking"}}


def test_only_the_columns_the_suite_names_are_kept_in_contract_order():
    suite = (
        _exp("expect_column_values_to_not_be_null", column="status"),
        _exp("expect_compound_columns_to_be_unique", column_list=["_load_id", "invoice_number"]),
        _exp("expect_column_values_to_be_null", column="amount_excl_vat__invalid"),
    )
    assert checked_columns(INVOICES, suite) == ("invoice_number", "status")
    assert unique_keys(suite) == ("_load_id", "invoice_number")
    in_load = (_exp("expect_column_values_to_be_unique", column="invoice_number__in_load"),)
    assert checked_columns(INVOICES, in_load) == ("invoice_number",)  # the id its key is built from
    assert in_load_columns(in_load) == ("invoice_number",) and unique_keys(in_load) == ("invoice_number__in_load",)


def test_an_expectation_on_the_table_columns_keeps_every_column():
    suite = (_exp("expect_table_columns_to_match_set", column_set=["invoice_number"]),)
    assert checked_columns(INVOICES, suite) == INVOICES.columns


def test_gx_sessions_plan_serially_and_keep_given_options():
    assert sqlalchemy_url("postgresql://u@h:5432/db").endswith(
        "/db?options=-c%20max_parallel_workers_per_gather%3D0%20-c%20jit%3Doff"
    )
    url = sqlalchemy_url("postgresql://u:@/db?host=/tmp/s&options=-c%20work_mem%3D8MB")
    assert url.startswith("postgresql+psycopg://u:@/db?host=%2Ftmp%2Fs&options=-c%20work_mem%3D8MB%20")
    assert SESSION_OPTIONS.replace(" ", "%20").replace("=", "%3D") in url


@pytest.fixture
def invoices(warehouse_url, conn, tmp_path) -> list[int]:
    conn.execute("drop schema if exists raw cascade")
    path = tmp_path / "landing" / "finance" / "invoices" / "1.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        "invoice_number;debtor_number;invoice_date;due_date;paid_date;amount_excl_vat;vat_amount;cost_amount;status\n"
        "F1;D1;2026-01-05;2026-02-04;;1.234,56;259,26;800,00;open\n"
        "F2;D1;05-01-2026;2026-02-30;;100.00;;5;paid\n"
    )
    report = load_landing(warehouse_url, tmp_path / "landing")
    report.raise_for_rejections()
    return report.load_ids


def test_the_gate_table_holds_the_checked_columns_and_each_parse_once(warehouse_url, conn, invoices):
    suite = read_suites(REPO / "expectations" / "raw")["finance_invoices"]
    columns = checked_columns(INVOICES, suite.expectations)
    conn.execute(f"create schema if not exists {GATE_SCHEMA}")
    conn.execute(materialise(INVOICES, suite.casts, invoices, columns, unique_keys(suite.expectations)))
    got = [
        r[0]
        for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s"
            " order by ordinal_position",
            (GATE_SCHEMA, INVOICES.name),
        )
    ]
    assert "due_date" not in got and "vat_amount" not in got  # parsed and flagged, but no expectation reads the text
    assert got[: len(columns) + 2] == [*columns, "_load_id", "_row_number"]
    rows = conn.execute(
        f"select _row_number, invoice_date__invalid, due_date__invalid, amount_excl_vat__invalid,"
        f" amount_excl_vat__value, vat_amount__value from {GATE_SCHEMA}.{INVOICES.name} order by _row_number"
    ).fetchall()
    assert [tuple(map(lambda v: None if v is None else str(v), r)) for r in rows] == [
        ("1", None, None, None, "1234.56", "259.26"),
        ("2", None, "2026-02-30", "100.00", None, None),  # Dutch date reads; a point amount in a comma file does not
    ]
    stats = conn.execute(
        "select attname from pg_stats where schemaname = %s and tablename = %s order by attname",
        (GATE_SCHEMA, INVOICES.name),
    ).fetchall()
    assert [r[0] for r in stats] == ["invoice_number__in_load"]  # only the uniqueness key is analysed
    keys = conn.execute(f"select invoice_number__in_load from {GATE_SCHEMA}.{INVOICES.name} order by _row_number")
    assert [k for (k,) in keys] == [f"{invoices[0]}:F1", f"{invoices[0]}:F2"]  # '<load id>:<id>'


def test_entities_parsed_side_by_side_flag_every_unreadable_value(settings, warehouse_url, conn, tmp_path):
    conn.execute("drop schema if exists raw cascade")
    landing = tmp_path / "landing"
    files = {
        "finance/invoices/1.csv": "invoice_number,debtor_number,invoice_date,due_date,paid_date,amount_excl_vat,"
        "vat_amount,cost_amount,status\n"
        + "".join(f"F{i},D1,2026-01-05,,,10.00,2.10,5,paid\n" for i in range(200))
        + "F999,D1,2026-02-30,,,10.00,2.10,5,paid\n",
        "service/surveys/1.csv": "survey_id,requester_id,ticket_id,sent_at,responded_at,nps_score\n"
        + "".join(f"S{i},R{i},,2026-01-05T10:00:00,,9\n" for i in range(200))
        + "S999,R1,,2026-01-05T24:00:00,,9\n",
        "crm/activities/1.csv": "activity_id,contact_id,account_id,activity_type,direction,occurred_at,"
        "duration_minutes,employee,subject\n"
        + "".join(f"A{i},C1,,call,inbound,2026-01-05 10:00:00,5,E,s\n" for i in range(200))
        + "A999,C1,,call,inbound,2026-01-05 10:00:00,vijf,E,s\n",
    }
    for rel, text in files.items():
        (landing / rel).parent.mkdir(parents=True, exist_ok=True)
        (landing / rel).write_text(text)
    ids = load_landing(warehouse_url, landing).load_ids
    result = check_raw(settings, warehouse_url, ids)
    flagged = conn.execute(
        "select source_file, row_number, column_name, value from raw.flagged_values order by source_file"
    ).fetchall()
    assert flagged == [
        ("crm/activities/1.csv", 201, "duration_minutes", "vijf"),
        ("finance/invoices/1.csv", 201, "invoice_date", "2026-02-30"),
        ("service/surveys/1.csv", 201, "sent_at", "2026-01-05T24:00:00"),
    ]
    assert not result.passed  # a date that does not exist blocks the invoices (no tolerance)
    assert {f.suite for f in result.failures} == {"raw.finance_invoices"}
    left = conn.execute("select count(*) from information_schema.tables where table_schema = %s", (GATE_SCHEMA,))
    assert left.fetchone()[0] == 0


def test_the_fast_paths_agree_with_the_calendar(warehouse_url, conn):
    """Every day of a leap and a common year, impossible days and clock times, year 0: what
    `raw.cvm_date` / `raw.cvm_timestamp` return is what the calendar says, whichever path reads them."""
    ensure_raw_schema(warehouse_url)
    days = [date(2023, 1, 1) + timedelta(days=i) for i in range(731)]
    texts = [d.isoformat() for d in days]
    impossible = ["2023-02-29", "2024-02-30", "2024-04-31", "2024-13-01", "2024-00-10", "0000-01-01", "2024-01-00"]
    got = dict(conn.execute("select v, raw.cvm_date(v) from unnest(%s::text[]) v", (texts + impossible,)).fetchall())
    assert [got[t] for t in texts] == days
    assert [got[t] for t in impossible] == [None] * len(impossible)
    stamps = {
        "2024-02-29T23:59:59": datetime(2024, 2, 29, 23, 59, 59),
        "2024-02-29 00:00:00": datetime(2024, 2, 29),
        "2024-01-31": datetime(2024, 1, 31),
        "2023-12-28 07:05:09": datetime(2023, 12, 28, 7, 5, 9),
        "2024-01-05T24:00:00": None,
        "2024-01-05T23:60:00": None,
        "2024-01-05T23:59:60": None,
        "2023-02-29T10:00:00": None,
        "0000-01-05T10:00:00": None,
    }
    got = dict(
        conn.execute(
            "select v, raw.cvm_timestamp(v, 'UTC') at time zone 'UTC' from unnest(%s::text[]) v", (list(stamps),)
        ).fetchall()
    )
    assert got == stamps
    assert conn.execute("select raw.cvm_date(null), raw.cvm_timestamp(null, 'UTC')").fetchone() == (None, None)


def test_dutch_dates_read_as_the_general_path_reads_them(warehouse_url, conn):
    """dd-mm-yyyy, d-m-yyyy and dd/mm/yyyy of every day of a leap and a common year, and impossible ones:
    the inlined Dutch branch of `raw.cvm_date` / `raw.cvm_timestamp` returns what the calendar says, exactly
    what the general (`cvm_date_text`) path returns."""
    ensure_raw_schema(warehouse_url)
    days = [date(2023, 1, 1) + timedelta(days=i) for i in range(731)]
    shapes = {
        "dd-mm-yyyy": lambda d: d.strftime("%d-%m-%Y"),
        "d-m-yyyy": lambda d: f"{d.day}-{d.month}-{d.year}",
        "dd/mm/yyyy": lambda d: d.strftime("%d/%m/%Y"),
        "d/m/yyyy": lambda d: f"{d.day}/{d.month}/{d.year}",
    }
    for shape, write in shapes.items():
        texts = [write(d) for d in days]
        rows = conn.execute(
            "select v, raw.cvm_date(v), raw.cvm_date_from_text(raw.cvm_date_text(v)),"
            " raw.cvm_timestamp(v, 'UTC') at time zone 'UTC' from unnest(%s::text[]) v",
            (texts,),
        ).fetchall()
        assert [r[1] for r in rows] == days, shape
        assert [r[2] for r in rows] == days, shape
        assert [r[3] for r in rows] == [datetime(d.year, d.month, d.day) for d in days], shape
    impossible = ["29-02-2023", "30/02/2024", "31-04-2024", "01-13-2024", "10-00-2024", "01-01-0000", "00-01-2024"]
    odd = {" 05-01-2026 ": date(2026, 1, 5), "5/1-2026": date(2026, 1, 5), "05-01-26": None, "5-1-20261": None}
    got = dict(
        conn.execute("select v, raw.cvm_date(v) from unnest(%s::text[]) v", (impossible + list(odd),)).fetchall()
    )
    assert {v: got[v] for v in impossible} == dict.fromkeys(impossible)
    assert {v: got[v] for v in odd} == odd
    stamps = dict(
        conn.execute(
            "select v, raw.cvm_timestamp(v, 'UTC') from unnest(%s::text[]) v", (impossible + list(odd),)
        ).fetchall()
    )
    assert [v for v, t in stamps.items() if (t is None) != (got[v] is None)] == []


def test_dutch_date_and_clock_time_read_as_local_time(warehouse_url, conn):
    """Helpdesk and accounting exports write '05-01-2026 14:35' (TOPdesk, Exact, AFAS in a Dutch locale): the
    same instant as its ISO spelling, the date alone for a date column; an impossible day or time is NULL."""
    ensure_raw_schema(warehouse_url)
    stamps = {
        "05-01-2026 14:35": datetime(2026, 1, 5, 14, 35),
        "5-1-2026 9:05": datetime(2026, 1, 5, 9, 5),
        "31/12/2025 23:59:59": datetime(2025, 12, 31, 23, 59, 59),
        " 29-02-2024  07:00:00.5 ": datetime(2024, 2, 29, 7, 0, 0, 500000),
        "29-02-2023 10:00": None,
        "05-01-2026 24:00": None,
        "05-01-2026 14:60": None,
        "05-01-2026T14:35": None,
    }
    rows = conn.execute(
        "select v, raw.cvm_timestamp(v, 'Europe/Amsterdam') at time zone 'Europe/Amsterdam', raw.cvm_date(v)"
        " from unnest(%s::text[]) v",
        (list(stamps),),
    ).fetchall()
    assert {v: t for v, t, _ in rows} == stamps
    assert {v: d for v, _, d in rows} == {v: t.date() if t else None for v, t in stamps.items()}
