"""One dbt pipeline run per module: raw data -> seed -> prepare -> (ml rows) -> customers -> marts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import dbt_testdata as data
import psycopg
import pytest
from psycopg import sql

from cvm.dbt import DbtRunSummary, run_dbt
from cvm.settings import Settings

# The ml tables as PIPELINE_CONTRACTS.md defines them (written here by hand instead of importing ml.io,
# so these tests depend on the contract only).
ML_DDL = (
    "create schema if not exists ml",
    """create table if not exists ml.identity_records (record_key text primary key, party_id text not null,
        party_kind text not null, customer_id text not null, customer_type text not null,
        match_probability double precision not null, model_run_id text not null)""",
    """create table if not exists ml.identity_pairs (record_key_l text, record_key_r text,
        match_probability double precision, is_match boolean, model_run_id text)""",
    """create table if not exists ml.identity_pair_fields (record_key_l text, record_key_r text, party_kind text,
       field text, level smallint, level_label text, weight double precision, model_run_id text)""",
    """create table if not exists ml.model_runs (model_run_id text primary key, as_of_date date,
        started_at timestamptz, finished_at timestamptz, params jsonb, metrics jsonb, status text)""",
    """create table if not exists ml.customer_scores (model_run_id text not null, as_of_date date not null,
        customer_id text not null, revenue_12m numeric, cost_12m numeric, contact_cost_12m numeric,
        current_value_12m numeric, frequency integer, recency_days integer, tenure_days integer,
        monetary_avg numeric, p_alive double precision, predicted_purchases_12m double precision,
        clv_12m numeric, churn_risk double precision, potential_score double precision, value_class text,
        potential_class text, segment text, cluster integer, primary key (model_run_id, customer_id))""",
    """create table if not exists ml.segment_history (model_run_id text not null, customer_id text not null,
        month date not null, value_class text, potential_class text, segment text, revenue_12m numeric,
        current_value_12m numeric, primary key (model_run_id, customer_id, month))""",
    """create table if not exists ml.cluster_profiles (model_run_id text not null, cluster integer not null,
        customers bigint not null, share double precision, frequency double precision,
        monetary_avg double precision, days_since_last double precision, tenure_days double precision,
        current_value_12m double precision, organisation_share double precision, description text not null,
        primary key (model_run_id, cluster))""",
    """create table if not exists ml.prospect_lookalikes (model_run_id text not null, customer_id text not null,
        lookalike_score double precision not null, reasons text not null,
        primary key (model_run_id, customer_id))""",
)


@dataclass
class DbtWarehouse:
    settings: Settings
    url: str
    conn: psycopg.Connection
    runs: dict[str, DbtRunSummary]

    def rows(self, query: str, *params: object) -> list[dict]:
        with self.conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
            cur.execute(query, params)
            return cur.fetchall()

    def one(self, query: str, *params: object) -> dict:
        rows = self.rows(query, *params)
        assert len(rows) == 1, f"expected one row, got {len(rows)}: {rows}"
        return rows[0]


def create_raw(conn: psycopg.Connection, url: str) -> None:
    from cvm.ingest import ensure_raw_schema

    ensure_raw_schema(url)
    for load_id, (system, entity, separator) in data.LOADS.items():
        conn.execute(
            "insert into raw.load_audit (load_id, system, entity, path, sha256, bytes, status, decimal_separator)"
            " values (%s, %s, %s, %s, %s, 0, 'loaded', %s)",
            (load_id, system, entity, f"{system}/{entity}/delivery-{load_id}.csv", f"sha-{load_id}", separator),
        )
    for table, rows in data.RAW.items():
        for row_number, (load_id, values) in enumerate(rows, start=1):
            columns = [*values, "_load_id", "_source_file", "_row_number", "_loaded_at"]
            params = [*values.values(), load_id, f"delivery-{load_id}.csv", row_number, "2026-10-31 23:00:00+00"]
            conn.execute(
                sql.SQL("insert into raw.{} ({}) values ({})").format(
                    sql.Identifier(table),
                    sql.SQL(", ").join(map(sql.Identifier, columns)),
                    sql.SQL(", ").join(sql.Placeholder() * len(columns)),
                ),
                params,
            )


def create_ml(conn: psycopg.Connection) -> None:
    for ddl in ML_DDL:
        conn.execute(ddl)
    for record_key, (party_id, customer_id, customer_type, party_kind, prob) in data.IDENTITY.items():
        conn.execute(
            "insert into ml.identity_records values (%s, %s, %s, %s, %s, %s, 'link-1')",
            (record_key, party_id, party_kind, customer_id, customer_type, prob),
        )


def create_scores(conn: psycopg.Connection) -> None:
    conn.execute(
        "insert into ml.model_runs (model_run_id, as_of_date, status, params) values (%s, %s, 'success', %s)",
        (data.RUN_ID, data.AS_OF, json.dumps({"test": True})),
    )
    for customer_id, (revenue, cost, contact_cost, vclass, pclass, segment) in data.SCORES.items():
        conn.execute(
            "insert into ml.customer_scores (model_run_id, as_of_date, customer_id, revenue_12m, cost_12m,"
            " contact_cost_12m, current_value_12m, frequency, recency_days, tenure_days, monetary_avg, p_alive,"
            " predicted_purchases_12m, clv_12m, churn_risk, potential_score, value_class, potential_class,"
            " segment, cluster) values (%s, %s, %s, %s, %s, %s, %s, 1, 10, 400, %s, 0.9, 2.0, %s, 0.1, 0.5,"
            " %s, %s, %s, 1)",
            (
                data.RUN_ID,
                data.AS_OF,
                customer_id,
                revenue,
                cost,
                contact_cost,
                round(revenue - cost - contact_cost, 2),
                revenue,
                revenue * 1.5,
                vclass,
                pclass,
                segment,
            ),
        )
    # an older run with other segments: the marts must only read the run they are given
    conn.execute(
        "insert into ml.customer_scores (model_run_id, as_of_date, customer_id, revenue_12m, segment)"
        " values ('run-old', '2026-09-30', 'C-ORG1', 1.0, 'lost')"
    )
    conn.execute(
        "insert into ml.cluster_profiles values (%s, 0, 2, 0.6667, 2.5, 1617.28, 120, 2500, 1331.4, 1.0,"
        " 'frequent large B2B buyers'), (%s, 1, 1, 0.3333, 0, 60, 5, 10, 40, 0.0, 'one-time small B2C buyers, new'),"
        " ('run-old', 0, 9, 1.0, 0, 0, 0, 0, 0, 0, 'an older run')",
        (data.RUN_ID, data.RUN_ID),
    )
    conn.execute(
        "insert into ml.prospect_lookalikes values (%s, 'C-PIET', 0.123456, 'postcode_area is 10, like many best"
        " customers'), ('run-old', 'C-EMILE', 0.9, 'an older run')",
        (data.RUN_ID,),
    )
    for customer_id, month, vclass, pclass, segment, revenue in data.segment_history():
        conn.execute(
            "insert into ml.segment_history values (%s, %s, %s, %s, %s, %s, %s, %s)",
            (data.RUN_ID, customer_id, month, vclass, pclass, segment, revenue, revenue / 2),
        )


@pytest.fixture(scope="module")
def dwh(
    base_settings: Settings, warehouse_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DbtWarehouse]:
    home = tmp_path_factory.mktemp("cvm_dbt_home")
    settings = base_settings.with_(home=home, database_url=warehouse_url)
    dbt_vars = {"as_of": data.AS_OF, "model_run_id": data.RUN_ID}
    runs: dict[str, DbtRunSummary] = {}
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        create_raw(conn, warehouse_url)
        runs["seed"] = run_dbt(settings, warehouse_url, ["seed"], vars=dbt_vars)
        runs["prepare"] = run_dbt(settings, warehouse_url, ["build", "--select", "tag:prepare"], vars=dbt_vars)
        create_ml(conn)
        runs["customers"] = run_dbt(settings, warehouse_url, ["build", "--select", "tag:customers"], vars=dbt_vars)
        create_scores(conn)
        runs["marts"] = run_dbt(settings, warehouse_url, ["build", "--select", "tag:marts"], vars=dbt_vars)
        yield DbtWarehouse(settings, warehouse_url, conn, runs)
