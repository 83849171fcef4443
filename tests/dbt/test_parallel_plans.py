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
            r[0]
            for r in conn.execute(
                "explain select staging.cvm_parse_date(invoice_date::text) from staging.stg_finance__invoices"
            )
        )
    assert "Gather" in plan


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


# --- the portable checks accept and reject exactly what PostgreSQL's own input functions do -----------------

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
    "2026-01-05T10:00:00": date(2026, 1, 5),
    "2026-01-05 99:99": date(2026, 1, 5),
    "31-12-2026": date(2026, 12, 31),
    "5/1/2026": date(2026, 1, 5),
    "31-02-2026": None,
    "2026/01/05": None,
    "20260105": None,
    "": None,
    "not a date": None,
    None: None,
}
TIMESTAMPS = {
    "2026-01-05 10:00": True,
    "2026-01-05T10:00:00Z": True,
    "2026-01-05 10:00:00.123456+01:00": True,
    "2026-01-05 10:00:00 +0130": True,
    "2026-01-05 24:00:00": True,
    "2026-01-05 24:00:01": False,
    "2026-01-05 25:00": False,
    "2026-01-05 10:60": False,
    "2026-01-05 23:59:60": True,
    "2026-01-05 10:00:61": False,
    "2026-02-30 10:00": False,
    "2026-01-05 10:00+16:00": False,
    "2026-01-05 10:00-15:59": True,
    "2026-01-05 10:00+01:60": False,
    "2026-01-05": False,
    None: None,
}


def test_dates_parse_with_the_calendar(dwh):
    got = {v: dwh.one("select staging.cvm_parse_date(%s) as d", v)["d"] for v in DATES}
    assert got == DATES


def test_timestamps_validate_with_the_calendar_and_clock(dwh):
    got = {v: dwh.one("select staging.cvm_is_iso_timestamp_sql(%s) as ok", v)["ok"] for v in TIMESTAMPS}
    assert got == TIMESTAMPS
    got = {v: dwh.one("select staging.cvm_is_iso_timestamp(%s) as ok", v)["ok"] for v in TIMESTAMPS}
    assert got == TIMESTAMPS


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
        unnest(array[null, 'Z', '+01', '-0130', '+01:30', ' +02', '-15:59', '+16:00', '+01:60']) as z
    where s is not null or f is null
"""


def test_the_sql_checks_match_pg_input_is_valid(dwh):
    if dwh.conn.info.server_version < 160000:
        pytest.skip("pg_input_is_valid exists from PostgreSQL 16 on")
    differ = dwh.rows(f"""
        select value, staging.cvm_parse_date(value) is not null as ours, pg_input_is_valid(value, 'date') as pg
        from ({GRID_DATES}) as grid
        where (staging.cvm_parse_date(value) is not null) <> pg_input_is_valid(value, 'date')""")
    assert differ == []
    differ = dwh.rows(f"""
        select value, staging.cvm_is_iso_timestamp_sql(value) as ours, pg_input_is_valid(value, 'timestamptz') as pg
        from ({GRID_TIMES}) as grid
        where staging.cvm_is_iso_timestamp_sql(value) <> pg_input_is_valid(value, 'timestamptz')
            or staging.cvm_is_iso_timestamp(value) <> pg_input_is_valid(value, 'timestamptz')""")
    assert differ == []
    checked = dwh.one(f"select count(*) as n from ({GRID_TIMES}) as grid")["n"]
    assert checked > 10_000


def test_the_marts_unit_tests_run_with_the_marts(dwh):
    """dbt unit_tests (models/marts/_marts__unit_tests.yml) are part of `build --select tag:marts`."""
    assert dwh.runs["marts"].by_name()["contact_pressure_pro_rating_and_flags"].status == "pass"
