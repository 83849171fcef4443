"""End to end on a real PostgreSQL: intermediate tables in, ml tables out, re-runs idempotent."""

from __future__ import annotations

from datetime import date

import pandas as pd
import psycopg
import pytest

from ml.io import ensure_ml_tables
from ml.linkage import run_linkage
from ml.run import run_models
from tests.ml.factories import PARTY_COLUMNS, party_frame
from tests.ml.factories import party_record as rec

AS_OF = date(2024, 6, 30)


def _create_party_records(conn: psycopg.Connection) -> None:
    types = {
        "email_is_role": "boolean",
        "birth_date": "date",
        "first_seen_at": "timestamptz",
        "email_opt_in": "boolean",
        "phone_opt_in": "boolean",
    }
    cols = ", ".join(f"{c} {types.get(c, 'text')}" for c in PARTY_COLUMNS)
    conn.execute("drop table if exists intermediate.int_party_records")
    conn.execute(f"create table intermediate.int_party_records ({cols}, primary key (record_key))")
    frame = party_frame(
        rec(
            "crm:accounts",
            "A1",
            kind="organisation",
            organisation_name="bakkerij jansen",
            kvk_number="12345678",
            postcode="1011AB",
            house_number="1",
        ),
        rec("finance:debtors", "D1", kind="organisation", organisation_name="bakkerij jansen", kvk_number="12345678"),
        rec(
            "crm:contacts",
            "C1",
            first_name="piet",
            last_name="jansen",
            email="piet@bakkerijjansen.nl",
            organisation_record_key="crm:accounts:A1",
        ),
        rec(
            "crm:contacts",
            "C2",
            first_name="els",
            last_name="dijk",
            infix="van",
            email="els.vandijk@gmail.com",
            postcode="2000AA",
            house_number="5",
        ),
        rec(
            "marketing:subscribers",
            "S1",
            first_name="els",
            last_name="dijkk",
            infix="van",
            email="els.vandijk@gmail.com",
        ),
    )
    with (
        conn.cursor() as cur,
        cur.copy(f"copy intermediate.int_party_records ({', '.join(PARTY_COLUMNS)}) from stdin") as copy,
    ):
        for row in frame.itertuples(index=False, name=None):
            copy.write_row([None if v is None or v != v else v for v in row])


def _create_facts(conn: psycopg.Connection, org: str, person: str) -> None:
    for t in ("int_customers", "int_invoices", "int_contact_moments", "int_customer_features"):
        conn.execute(f"drop table if exists intermediate.{t}")
    conn.execute("""create table intermediate.int_customers (customer_id text primary key, customer_type text,
                    display_name text, first_seen_at timestamptz, postcode text, email text, phone text,
                    kvk_number text)""")
    conn.execute("""create table intermediate.int_invoices (invoice_id text primary key, debtor_number text,
                    customer_id text, invoice_date date, due_date date, paid_date date, amount_excl_vat numeric,
                    vat_amount numeric, cost_amount numeric, status text, is_credited boolean, revenue numeric,
                    margin numeric)""")
    conn.execute("""create table intermediate.int_contact_moments (contact_moment_id text primary key,
                    customer_id text, party_id text, occurred_at timestamptz, occurred_on date, channel text,
                    direction text, source_system text, source_entity text, source_record_id text,
                    contact_cost numeric)""")
    conn.execute(
        "insert into intermediate.int_customers values (%s, 'organisation', 'Bakkerij Jansen', "
        "'2020-01-01'), (%s, 'person', 'Els van Dijk', '2024-06-20')",
        (org, person),
    )
    invoices = [
        ("F1", org, "2023-06-30", 900, 100, "paid", False),  # just outside the window
        ("F2", org, "2023-09-15", 1200, 400, "paid", False),
        ("F3", org, "2024-06-30", 800, 300, "paid", False),
        ("F4", org, "2024-03-01", 5000, 0, "credited", True),
        ("F5", person, "2024-06-25", 60, 20, "paid", False),
        ("F6", person, "2024-07-02", 999, 0, "paid", False),  # after as_of
    ]
    for inv_id, cid, day, amount, cost, status, credited in invoices:
        conn.execute(
            "insert into intermediate.int_invoices (invoice_id, customer_id, invoice_date, amount_excl_vat, "
            "cost_amount, status, is_credited) values (%s, %s, %s, %s, %s, %s, %s)",
            (inv_id, cid, day, amount, cost, status, credited),
        )
    _create_features(conn, org, person)
    conn.execute(
        "insert into intermediate.int_contact_moments (contact_moment_id, customer_id, occurred_on, channel, "
        "direction, contact_cost) values ('crm:activities:1', %s, '2024-05-01', 'visit', 'outbound', 75), "
        "('crm:activities:2', %s, '2024-05-02', 'email', 'outbound', 0.25)",
        (org, org),
    )


def _create_features(conn: psycopg.Connection, org: str, person: str) -> None:
    """int_customer_features as dbt builds it from the facts above (the figures are dbt's, tested there)."""
    conn.execute("""create table intermediate.int_customer_features (customer_id text, feature_date date,
                    feature_month date, cut_off_kind text, customer_type text, tenure_days integer,
                    revenue_12m numeric, cost_12m numeric, contact_cost_12m numeric, current_value_12m numeric,
                    purchase_days_12m bigint, frequency bigint, recency_days integer, t_days integer,
                    days_since_last integer, monetary_avg numeric, margin_avg numeric, revenue_total numeric,
                    margin_total numeric, primary key (customer_id, feature_date))""")
    conn.execute("""alter table intermediate.int_customer_features
                    add column margin_12m numeric generated always as (revenue_12m - cost_12m) stored,
                    add column margin_previous_12m numeric default 0, add column contacts_12m bigint default 0""")
    insert = "insert into intermediate.int_customer_features values (" + ", ".join(["%s"] * 19) + ")"
    # the organisation: F1 (2023-06-30), F2, F3 (on as_of); F4 credited
    conn.execute(
        insert,
        (
            org,
            AS_OF,
            date(2024, 6, 1),
            "as_of",
            "organisation",
            1642,
            2000,
            700,
            75.25,
            1224.75,
            2,
            2,
            366,
            366,
            0,
            1000,
            750,
            2900,
            2100,
        ),
    )
    conn.execute(
        insert,
        (
            org,
            date(2023, 6, 30),
            date(2023, 6, 1),
            "churn_cut_off",
            "organisation",
            1276,
            900,
            100,
            0,
            800,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            900,
            800,
        ),
    )
    for k in range(11):  # the month-ends July 2023 .. May 2024
        month = date(2023 + (6 + k) // 12, (6 + k) % 12 + 1, 1)
        month_end = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
        conn.execute(
            insert,
            (
                org,
                month_end,
                month,
                "month_end",
                "organisation",
                1400,
                2100,
                500,
                0,
                1600,
                2,
                1,
                77,
                200,
                120,
                1200,
                800,
                2100,
                1600,
            ),
        )
    conn.execute(
        insert, (person, AS_OF, date(2024, 6, 1), "as_of", "person", 5, 60, 20, 0, 40, 1, 0, 0, 5, 5, 0, 0, 60, 40)
    )


@pytest.mark.slow
def test_linkage_and_models_end_to_end(conn: psycopg.Connection, warehouse_url: str) -> None:
    _create_party_records(conn)
    summary = run_linkage(warehouse_url, "run-1")
    assert (summary.records, summary.parties, summary.customers) == (5, 3, 2)
    assert summary.matched_pairs == 2
    records = {
        r[0]: r[1:]
        for r in conn.execute(
            "select record_key, party_id, customer_id, customer_type, model_run_id from ml.identity_records"
        )
    }
    assert len(records) == 5
    org = records["crm:accounts:A1"][1]
    assert records["finance:debtors:D1"][1] == records["crm:contacts:C1"][1] == org
    assert records["crm:contacts:C1"][2] == "organisation"
    assert records["crm:contacts:C2"][0] == records["marketing:subscribers:S1"][0]
    person = records["crm:contacts:C2"][1]
    assert person != org and records["crm:contacts:C2"][2] == "person"
    assert conn.execute("select count(*) from ml.identity_pairs where is_match").fetchone()[0] == 2

    # a second linkage run keeps every id and records no change
    run_linkage(warehouse_url, "run-2")
    again = {r[0]: r[1:] for r in conn.execute("select record_key, party_id, customer_id from ml.identity_records")}
    assert again == {k: v[:2] for k, v in records.items()}
    assert conn.execute("select count(*) from ml.identity_id_changes").fetchone()[0] == 0

    _create_facts(conn, org, person)
    model_summary = run_models(warehouse_url, AS_OF, "run-2")
    run_models(warehouse_url, AS_OF, "run-2")  # idempotent: replaces its own rows
    assert model_summary.customers == 2
    rows = conn.execute(
        "select customer_id, value_class, segment, as_of_date, p_alive, clv_12m from ml.customer_scores "
        "where model_run_id = 'run-2' order by customer_id"
    ).fetchall()
    by_id = {r[0]: r[1:] for r in rows}
    assert len(rows) == 2
    assert by_id[org][:3] == ("high", "star", AS_OF)
    assert by_id[person][:2] == ("low", "new")  # bought once, first seen 10 days before as_of
    assert by_id[person][3] == 1.0 and float(by_id[org][4]) > 0  # a one-time buyer is alive in BG/NBD
    hist = conn.execute(
        "select customer_id, count(*), min(month), max(month) from ml.segment_history "
        "where model_run_id = 'run-2' group by customer_id order by customer_id"
    ).fetchall()
    assert {h[0]: h[1:] for h in hist} == {
        org: (12, date(2023, 7, 1), date(2024, 6, 1)),
        person: (1, date(2024, 6, 1), date(2024, 6, 1)),
    }
    figures = conn.execute(
        "select month, revenue_12m, current_value_12m from ml.segment_history "
        "where model_run_id = 'run-2' and customer_id = %s and month in ('2023-07-01', '2024-06-01') order by month",
        (org,),
    ).fetchall()
    # copied from each month's feature row, so the monthly evaluation can read a past run
    assert [(m, float(r), float(v)) for m, r, v in figures] == [
        (date(2023, 7, 1), 2100.0, 1600.0),
        (date(2024, 6, 1), 2000.0, 1224.75),
    ]
    status, params, metrics, as_of = conn.execute(
        "select status, params, metrics, as_of_date from ml.model_runs where model_run_id = 'run-2'"
    ).fetchone()
    assert (status, as_of) == ("succeeded", AS_OF)
    assert params["models"]["bgnbd"]["status"].startswith("fallback")
    assert metrics["models"]["segment_counts"] == {"new": 1, "star": 1}
    assert metrics["linkage"]["parties"] == 3  # the linkage metrics of the same run id survive
    assert conn.execute("select count(*) from ml.model_runs").fetchone()[0] == 2


def test_ensure_ml_tables_is_idempotent(conn: psycopg.Connection) -> None:
    ensure_ml_tables(conn)
    ensure_ml_tables(conn)
    names = {r[0] for r in conn.execute("select table_name from information_schema.tables where table_schema = 'ml'")}
    assert {
        "identity_records",
        "identity_pairs",
        "identity_id_changes",
        "model_runs",
        "customer_scores",
        "segment_history",
    } <= names


@pytest.mark.slow
def test_steward_decisions_hold_in_every_later_run(conn: psycopg.Connection, warehouse_url: str) -> None:
    from ml.linkage.decisions import record

    _create_party_records(conn)
    conn.execute("drop table if exists ml.identity_decisions")
    run_linkage(warehouse_url, "run-d1")

    def party(key: str) -> str:
        return conn.execute("select party_id from ml.identity_records where record_key = %s", (key,)).fetchone()[0]

    assert party("crm:contacts:C2") == party("marketing:subscribers:S1")  # the model links them
    assert party("crm:contacts:C1") != party("crm:contacts:C2")
    record(conn, "marketing:subscribers:S1", "crm:contacts:C2", "cannot-link", "steward", "two people")
    record(conn, "crm:contacts:C1", "crm:contacts:C2", "must-link", "steward", "same person, new name")
    conn.commit()
    for run in ("run-d2", "run-d3"):
        run_linkage(warehouse_url, run)
        assert party("crm:contacts:C2") != party("marketing:subscribers:S1"), run
        assert party("crm:contacts:C1") == party("crm:contacts:C2"), run
    # a later decision on the same pair replaces the earlier one
    record(conn, "crm:contacts:C2", "marketing:subscribers:S1", "must-link", "steward", "checked again")
    conn.commit()
    run_linkage(warehouse_url, "run-d4")
    assert party("crm:contacts:C2") == party("marketing:subscribers:S1")
