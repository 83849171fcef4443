"""Warehouse I/O at the edges: read intermediate tables into DataFrames, write ml tables with COPY.

Everything else in `ml` is pure functions over DataFrames; only this module talks to PostgreSQL, so the
models can be tested on hand-made frames and the table shapes live in one place (PIPELINE_CONTRACTS.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

ML_DDL: tuple[str, ...] = (
    "create schema if not exists ml",
    """create table if not exists ml.identity_records (
        record_key text primary key, party_id text not null, party_kind text not null,
        customer_id text not null, customer_type text not null,
        match_probability double precision not null, model_run_id text not null)""",
    """create table if not exists ml.identity_pairs (
        record_key_l text not null, record_key_r text not null, match_probability double precision not null,
        is_match boolean not null, model_run_id text not null)""",
    """create table if not exists ml.identity_id_changes (
        model_run_id text not null, id_kind text not null, old_id text not null, new_id text not null,
        kind text not null, records bigint, changed_at timestamptz not null default now())""",
    """create table if not exists ml.model_runs (
        model_run_id text primary key, as_of_date date, started_at timestamptz, finished_at timestamptz,
        params jsonb not null default '{}'::jsonb, metrics jsonb not null default '{}'::jsonb,
        status text)""",
    # only what the models decide; the figures they read stay in intermediate.int_customer_features
    """create table if not exists ml.customer_scores (
        model_run_id text not null, as_of_date date not null, customer_id text not null,
        p_alive double precision, predicted_purchases_12m double precision, clv_12m numeric,
        churn_risk double precision, potential_score double precision, value_class text,
        potential_class text, segment text, cluster integer,
        primary key (model_run_id, customer_id))""",
    """create table if not exists ml.segment_history (
        model_run_id text not null, customer_id text not null, month date not null, value_class text,
        potential_class text, segment text, revenue_12m numeric, current_value_12m numeric,
        primary key (model_run_id, customer_id, month))""",
    # k-means clusters of the buyers (ml.clusters): size, centroid in original units, plain-words profile
    """create table if not exists ml.cluster_profiles (
        model_run_id text not null, cluster integer not null, customers bigint not null,
        share double precision, frequency double precision, monetary_avg double precision,
        days_since_last double precision, tenure_days double precision, current_value_12m double precision,
        organisation_share double precision, description text not null,
        primary key (model_run_id, cluster))""",
    # parties who never bought, scored against the best customers (ml.lookalike)
    """create table if not exists ml.prospect_lookalikes (
        model_run_id text not null, customer_id text not null, lookalike_score double precision not null,
        reasons text not null, primary key (model_run_id, customer_id))""",
    # the month's figures, copied from its feature row: the monthly evaluation reads a past run's history
    # after the feature table has been rebuilt for a later as-of date
    """alter table ml.segment_history add column if not exists revenue_12m numeric,
        add column if not exists current_value_12m numeric""",
    # the CLV at each month end (the fit on that month-end's rows): the monthly evaluation splits its change
    """alter table ml.segment_history add column if not exists clv_12m numeric""",
)

IDENTITY_RECORD_COLUMNS = (
    "record_key",
    "party_id",
    "party_kind",
    "customer_id",
    "customer_type",
    "match_probability",
    "model_run_id",
)
IDENTITY_PAIR_COLUMNS = ("record_key_l", "record_key_r", "match_probability", "is_match", "model_run_id")
ID_CHANGE_COLUMNS = ("model_run_id", "id_kind", "old_id", "new_id", "kind", "records")
CUSTOMER_SCORE_COLUMNS = (
    "model_run_id",
    "as_of_date",
    "customer_id",
    "p_alive",
    "predicted_purchases_12m",
    "clv_12m",
    "churn_risk",
    "potential_score",
    "value_class",
    "potential_class",
    "segment",
    "cluster",
)
SEGMENT_HISTORY_COLUMNS = (
    "model_run_id",
    "customer_id",
    "month",
    "value_class",
    "potential_class",
    "segment",
    "revenue_12m",
    "current_value_12m",
    "clv_12m",
)

CLUSTER_PROFILE_COLUMNS = (
    "model_run_id",
    "cluster",
    "customers",
    "share",
    "frequency",
    "monetary_avg",
    "days_since_last",
    "tenure_days",
    "current_value_12m",
    "organisation_share",
    "description",
)
LOOKALIKE_COLUMNS = ("model_run_id", "customer_id", "lookalike_score", "reasons")

FEATURES_TABLE = "intermediate.int_customer_features"
# the columns of int_customer_features the models read (the table has more: see its _features__models.yml)
FEATURE_COLUMNS = (
    "customer_id",
    "feature_date",
    "feature_month",
    "cut_off_kind",
    "customer_type",
    "tenure_days",
    "revenue_12m",
    "cost_12m",
    "contact_cost_12m",
    "current_value_12m",
    "margin_12m",
    "margin_previous_12m",
    "purchase_days_12m",
    "contacts_12m",
    "frequency",
    "recency_days",
    "t_days",
    "days_since_last",
    "monetary_avg",
    "margin_avg",
    "revenue_total",
    "margin_total",
)
_DATE_FEATURES = ("feature_date", "feature_month")


class MissingInputError(RuntimeError):
    """An upstream table the models read does not exist yet (dbt has not built it)."""


def ensure_ml_tables(conn: psycopg.Connection) -> None:
    """Create the ml tables if absent; safe to call on every run."""
    for ddl in ML_DDL:
        conn.execute(ddl)


def table_exists(conn: psycopg.Connection, qualified: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (qualified,)).fetchone()[0]


def require_tables(conn: psycopg.Connection, *qualified: str) -> None:
    for name in qualified:
        if not table_exists(conn, name):
            raise MissingInputError(f"{name} does not exist: run the dbt stage that builds it first")


def read_frame(conn: psycopg.Connection, query: str | sql.Composable, params: Sequence | None = None) -> pd.DataFrame:
    """Run a query and return its rows as a DataFrame (numeric -> float, so the models get floats)."""
    with conn.cursor() as cur:
        cur.execute(query, params)
        columns = [d.name for d in cur.description]
        rows = cur.fetchall()
    df = pd.DataFrame.from_records(rows, columns=columns)
    for col in df.columns:
        if df[col].map(lambda v: isinstance(v, Decimal)).any():
            df[col] = pd.to_numeric(df[col].map(lambda v: None if v is None else float(v)))
    return df


def read_table(conn: psycopg.Connection, qualified: str, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """All rows of schema.table, or MissingInputError naming the table when it was never built."""
    require_tables(conn, qualified)
    schema, table = qualified.split(".", 1)
    cols = sql.SQL("*") if columns is None else sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    return read_frame(conn, sql.SQL("select {} from {}").format(cols, sql.Identifier(schema, table)))


def read_copy(conn: psycopg.Connection, query: sql.Composable) -> pd.DataFrame:
    """A query's rows through COPY ... TO STDOUT as CSV: for the large reads (a million feature rows) this is
    several times faster than fetching Python tuples; numbers arrive as floats, text as str."""
    buffer = BytesIO()
    with conn.cursor() as cur, cur.copy(sql.SQL("copy ({}) to stdout (format csv, header)").format(query)) as copy:
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    return pd.read_csv(buffer, keep_default_na=False, na_values=[""], low_memory=False)


def read_features(conn: psycopg.Connection, columns: Sequence[str] = FEATURE_COLUMNS) -> pd.DataFrame:
    """All rows of int_customer_features (every cut-off), with `t_days` as `T_days` (the name ml.clv uses)."""
    require_tables(conn, FEATURES_TABLE)
    schema, table = FEATURES_TABLE.split(".", 1)
    query = sql.SQL("select {} from {}").format(
        sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.Identifier(schema, table)
    )
    frame = read_copy(conn, query)
    for col in _DATE_FEATURES:
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).dt.date
    frame["customer_id"] = frame["customer_id"].astype(str)
    return frame.rename(columns={"t_days": "T_days"})


def _plain(value: object) -> object:
    """numpy/pandas scalars -> Python values COPY understands; NaN/NaT/NA -> NULL."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(column: pd.Series) -> pd.Series:
    """One column in COPY's text format, vectorised where the dtype allows: NULL as \\N, booleans as t/f,
    dicts and lists as JSON, strings with backslash, tab and newlines escaped. Values mean what `_plain`
    makes of them, without a Python call per value for numbers, booleans and timestamps."""
    nulls = column.isna().to_numpy()
    if pd.api.types.is_bool_dtype(column.dtype):
        text = column.map({True: "t", False: "f"}).astype(object)
    elif pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_datetime64_any_dtype(column.dtype):
        text = column.astype(str).astype(object)
    else:
        text = (
            column.astype(object)
            .map(
                lambda v: v if isinstance(v, str) else json.dumps(v) if isinstance(v, dict | list) else str(_plain(v)),
                na_action="ignore",
            )
            .astype(object)
        )
        text = text.str.translate(_COPY_ESCAPES)
    text[nulls] = "\\N"
    return text


def copy_frame(conn: psycopg.Connection, qualified: str, df: pd.DataFrame, columns: Sequence[str]) -> int:
    """Append df[columns] to schema.table with COPY in text format, built per column and written in chunks
    (a Python call per value made the identity stage's writes take minutes at 100,000 customers)."""
    schema, table = qualified.split(".", 1)
    stmt = sql.SQL("copy {} ({}) from stdin").format(
        sql.Identifier(schema, table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    frame = df[list(columns)]
    chunk = 200_000
    with conn.cursor() as cur, cur.copy(stmt) as copy:
        for start in range(0, len(frame), chunk):
            part = frame.iloc[start : start + chunk]
            texts = [_copy_text(part[c]) for c in part.columns]
            lines = texts[0].str.cat(texts[1:], sep="\t") if len(texts) > 1 else texts[0]
            copy.write("\n".join(lines.tolist()) + "\n")
    # dbt joins these tables next: give the planner real statistics instead of a guess
    conn.execute(sql.SQL("analyze {}").format(sql.Identifier(schema, table)))
    return len(frame)


def delete_run(conn: psycopg.Connection, qualified: str, model_run_id: str) -> None:
    schema, table = qualified.split(".", 1)
    conn.execute(
        sql.SQL("delete from {} where model_run_id = %s").format(sql.Identifier(schema, table)),
        (model_run_id,),
    )


def upsert_model_run(
    conn: psycopg.Connection,
    model_run_id: str,
    *,
    as_of_date: date | None,
    started_at: datetime,
    finished_at: datetime | None,
    params: dict,
    metrics: dict,
    status: str,
) -> None:
    """Insert or update one ml.model_runs row, merging params/metrics at the top level.

    Linkage and models may share a model_run_id; each writes its own top-level keys, so a re-run
    replaces its own keys and keeps the other stage's.
    """
    conn.execute(
        """insert into ml.model_runs
             (model_run_id, as_of_date, started_at, finished_at, params, metrics, status)
           values (%s, %s, %s, %s, %s::jsonb, %s::jsonb, %s)
           on conflict (model_run_id) do update set
             as_of_date = coalesce(excluded.as_of_date, ml.model_runs.as_of_date),
             started_at = least(ml.model_runs.started_at, excluded.started_at),
             finished_at = excluded.finished_at,
             params = ml.model_runs.params || excluded.params,
             metrics = ml.model_runs.metrics || excluded.metrics,
             status = excluded.status""",
        (model_run_id, as_of_date, started_at, finished_at, to_json(params), to_json(metrics), status),
    )


def to_json(value: object) -> str:
    """JSON for jsonb columns: NaN/inf become null (PostgreSQL rejects them), numpy scalars plain."""
    return json.dumps(_clean(value), default=_json_default)


def _clean(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    return value


def _json_default(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    plain = _plain(value)
    if plain is value:
        raise TypeError(f"not JSON serialisable: {type(value)}")
    return plain
