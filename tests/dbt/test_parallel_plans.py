"""The dbt build with PostgreSQL forced into parallel plans on small data.

A function PostgreSQL may run in a parallel worker must be written for it: a plpgsql exception block
(a subtransaction) raises "cannot start subtransactions during a parallel operation" there. Big data gets
parallel plans by itself; here the parallel costs are set to zero and `debug_parallel_query` (16+) /
`force_parallel_mode` (15) puts a Gather on top of every query that may run in parallel, so the
2,000-row-scale tests catch the class of bug. Runs against the embedded server and, in CI, again against
the external one (.ci/run), so both major versions are covered.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from psycopg import sql

pytestmark = pytest.mark.slow


def parallel_settings(server_version: int) -> dict[str, str]:
    """Session settings that make PostgreSQL pick parallel plans for every query it may parallelise."""
    force = "debug_parallel_query" if server_version >= 160000 else "force_parallel_mode"
    return {
        "parallel_setup_cost": "0",
        "parallel_tuple_cost": "0",
        "min_parallel_table_scan_size": "0",
        "min_parallel_index_scan_size": "0",
        "max_parallel_workers_per_gather": "2",
        force: "on",
    }


@pytest.fixture(scope="module")
def warehouse_url(warehouse_url: str) -> Iterator[str]:
    """The module's warehouse with the parallel settings as database defaults, so every dbt session has them."""
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        name = conn.info.dbname
        for setting, value in parallel_settings(conn.info.server_version).items():
            conn.execute(
                sql.SQL("alter database {} set {} = {}").format(
                    sql.Identifier(name), sql.Identifier(setting), sql.Literal(value)
                )
            )
    yield warehouse_url


def test_settings_really_force_parallel_plans(dwh):
    """Guard against a test that cannot fail: a fresh session of the warehouse plans a Gather."""
    with psycopg.connect(dwh.url) as conn:
        plan = "\n".join(
            r[0] for r in conn.execute("explain select raw.cvm_date(invoice_date) from raw.finance_invoices")
        )
    assert "Gather" in plan


def test_the_shared_value_functions_are_parallel_safe_without_exception_blocks(dwh):
    funcs = dwh.rows("""
        select p.proname, p.provolatile, p.proparallel, l.lanname, p.prosrc
        from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace join pg_language as l on l.oid = p.prolang
        where n.nspname = 'raw' and left(p.proname, 4) = 'cvm_'""")
    assert {f["proname"] for f in funcs} >= {"cvm_date", "cvm_timestamp", "cvm_integer", "cvm_amount"}
    for f in funcs:
        assert f["proparallel"] == "s", f["proname"]
        assert f["lanname"] == "sql", f["proname"]
        assert "exception" not in f["prosrc"].lower(), f["proname"]
        # text -> timestamptz depends on the session time zone: stable; everything else immutable
        assert f["provolatile"] == ("s" if f["proname"] == "cvm_timestamp" else "i"), f["proname"]


def test_the_whole_build_passes_under_parallel_plans(dwh):
    for stage in ("seed", "prepare", "customers", "marts"):
        assert dwh.runs[stage].success and not dwh.runs[stage].failed(), stage
    assert dwh.runs["customers"].by_name()["int_invoices"].status == "success"
    assert dwh.runs["customers"].by_name()["int_contact_moments"].status == "success"


def test_parsing_under_parallel_plans_gives_the_same_values(dwh):
    con2 = dwh.one("select * from staging.stg_crm__contacts where contact_id = 'CON-2'")
    assert con2["birth_date"] is None  # '1980-02-31' stays invalid in a parallel worker too
    con1 = dwh.one("select * from staging.stg_crm__contacts where contact_id = 'CON-1'")
    assert con1["birth_date"] == date(1975, 4, 12)
    assert dwh.one("select count(*) as n from intermediate.int_invoices")["n"] > 0


# --- the shared checks read exactly the dates and timestamps that exist ------------------------------------

DATES = {
    "2026-02-28": date(2026, 2, 28),
    "2024-02-29": date(2024, 2, 29),
    "2026-02-29": None,
    "2026-02-30": None,
    "2000-02-29": date(2000, 2, 29),
    "1900-02-29": None,
    "2026-04-31": None,
    "2026-13-01": None,
    "2026-00-10": None,
    "0000-01-01": None,
    "2026-1-5": date(2026, 1, 5),
    " 2026-01-05 ": date(2026, 1, 5),
    "2026-01-05T10:00:00": date(2026, 1, 5),
    "2026-01-05 10:00:00+01:00": date(2026, 1, 5),
    "2026-01-05 99:99": None,
    "31-12-2026": date(2026, 12, 31),
    "29-02-2024": date(2024, 2, 29),
    "29-02-2026": None,
    "5/1/2026": date(2026, 1, 5),
    "31-02-2026": None,
    "2026/01/05": None,
    "20260105": None,
    "": None,
    "not a date": None,
    None: None,
}
TZ = "Europe/Amsterdam"
TIMESTAMPS = {
    "2026-01-05 10:00": "2026-01-05 09:00:00+00",
    "2026-07-05 10:00": "2026-07-05 08:00:00+00",
    "2026-01-05T10:00:00Z": "2026-01-05 10:00:00+00",
    "2026-01-05 10:00:00.5+01:00": "2026-01-05 09:00:00.5+00",
    "2026-01-05 10:00:00 +0130": "2026-01-05 08:30:00+00",
    "2026-01-05": "2026-01-04 23:00:00+00",
    "05-01-2026": "2026-01-04 23:00:00+00",
    "2024-02-29 10:00": "2024-02-29 09:00:00+00",
    "2026-02-29 10:00": None,
    "2026-02-30 10:00": None,
    "2026-01-05 24:00:01": None,
    "2026-01-05 25:00": None,
    "2026-01-05 10:60": None,
    "2026-01-05 10:00:61": None,
    "2026-01-05 10:00+16:00": None,
    "2026-01-05 10:00+01:60": None,
    "not a time": None,
    None: None,
}


def test_dates_parse_with_the_calendar(dwh):
    got = {v: dwh.one("select raw.cvm_date(%s) as d", v)["d"] for v in DATES}
    assert got == DATES


def test_timestamps_parse_with_the_calendar_clock_and_zone(dwh):
    sql_ = "select to_char(raw.cvm_timestamp(%s, %s) at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.FF6') as t"
    got = {v: dwh.one(sql_, v, TZ)["t"] for v in TIMESTAMPS}
    want = {
        v: None
        if t is None
        else dwh.one("select to_char(%s::timestamptz at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.FF6') as t", t)["t"]
        for v, t in TIMESTAMPS.items()
    }
    assert got == want


GRID_DATES = """
    select y || '-' || m || '-' || d as value
    from unnest(array['0000', '0001', '1900', '2000', '2023', '2024', '2100', '9999']) as y,
        unnest(array['0', '00', '1', '01', '2', '02', '4', '04', '6', '9', '11', '12', '13']) as m,
        unnest(array['0', '00', '1', '01', '9', '28', '29', '30', '31', '32']) as d
"""
GRID_TIMES = """
    select dt || sep || h || ':' || mi || coalesce(':' || s, '') || coalesce(f, '') || coalesce(z, '') as value
    from unnest(array['2024-02-29', '2023-02-29', '2026-12-31']) as dt, unnest(array[' ', 'T']) as sep,
        unnest(array['0', '00', '9', '23', '24', '25']) as h, unnest(array['00', '01', '59', '60']) as mi,
        unnest(array[null, '00', '01', '59', '60', '61']) as s,
        unnest(array[null, '.5', '.0000001', '.0000004', '.9999999']) as f,
        unnest(array[null, 'Z', '+01', '-0130', '+01:30', ' +02', '-14:59', '+16:00', '+01:60']) as z
    where s is not null or f is null
"""


def test_the_shared_checks_agree_with_pg_input_is_valid(dwh):
    """ISO dates: exactly PostgreSQL's verdict. ISO timestamps: never accept what PostgreSQL rejects (that
    cast would raise), and reject of PostgreSQL's only its leniencies: hour 24 and leap second 60."""
    if dwh.conn.info.server_version < 160000:
        pytest.skip("pg_input_is_valid exists from PostgreSQL 16 on")
    differ = dwh.rows(f"""
        select value, raw.cvm_date(value) is not null as ours, pg_input_is_valid(value, 'date') as pg
        from ({GRID_DATES}) as grid
        where (raw.cvm_date(value) is not null) <> pg_input_is_valid(value, 'date')""")
    assert differ == []
    differ = dwh.rows(f"""
        select value, raw.cvm_timestamp(value, '{TZ}') is not null as ours
        from ({GRID_TIMES}) as grid
        where (raw.cvm_timestamp(value, '{TZ}') is not null) <> pg_input_is_valid(value, 'timestamptz')
            and not (value ~ '[ T]24:' or value ~ ':60([.+ Z-]|$)')""")
    assert differ == []
    unsafe = dwh.rows(f"""
        select value from ({GRID_TIMES}) as grid
        where raw.cvm_timestamp(value, '{TZ}') is not null and not pg_input_is_valid(value, 'timestamptz')""")
    assert unsafe == []
    checked = dwh.one(f"select count(*) as n from ({GRID_TIMES}) as grid")["n"]
    assert checked > 10_000


def test_the_marts_unit_tests_run_with_the_marts(dwh):
    """dbt unit_tests (models/marts/_marts__unit_tests.yml) are part of `build --select tag:marts`."""
    assert dwh.runs["marts"].by_name()["contact_pressure_pro_rating_and_flags"].status == "pass"
