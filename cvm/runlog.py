"""The run log (`ops.pipeline_runs`): one row per pipeline run with the figures of every stage.

It is what `cvm status` reads and what a data engineer queries to see when the marts were last published.
"""

from __future__ import annotations

import json
from typing import Any

from psycopg.types.json import Jsonb

from cvm.warehouse import connect

DDL = """
create schema if not exists ops;
create table if not exists ops.pipeline_runs (
    run_id      text primary key,
    as_of       date not null,
    landing     text,
    started_at  timestamptz not null default now(),
    finished_at timestamptz,
    status      text not null default 'running',   -- running | failed | published
    stages      jsonb not null default '{}'::jsonb,  -- stage -> {status, seconds, figures}
    mart_rows   jsonb                                -- table -> rows, as published
);
"""


def _ensure(conn) -> None:  # noqa: ANN001
    conn.execute(DDL)


def start_run(url: str, run_id: str, as_of: str, landing: str) -> None:
    with connect(url, autocommit=True) as conn:
        _ensure(conn)
        conn.execute(
            "insert into ops.pipeline_runs (run_id, as_of, landing) values (%s, %s, %s) "
            "on conflict (run_id) do nothing",
            (run_id, as_of, landing),
        )


def record_stage(url: str, run_id: str, stage: str, status: str, seconds: float, figures: dict[str, Any]) -> None:
    entry = {"status": status, "seconds": seconds, **json.loads(json.dumps(figures, default=str))}
    with connect(url, autocommit=True) as conn:
        _ensure(conn)
        conn.execute(
            "update ops.pipeline_runs set stages = stages || jsonb_build_object(%s::text, %s::jsonb), "
            "status = case when %s = 'failed' then 'failed' else status end where run_id = %s",
            (stage, Jsonb(entry), status, run_id),
        )


def finish_run(url: str, run_id: str, status: str, mart_rows: dict[str, int]) -> None:
    with connect(url, autocommit=True) as conn:
        _ensure(conn)
        conn.execute(
            "update ops.pipeline_runs set status = %s, finished_at = now(), mart_rows = %s where run_id = %s",
            (status, Jsonb(mart_rows) if mart_rows else None, run_id),
        )


def last_runs(url: str, limit: int = 5) -> list[dict[str, Any]]:
    with connect(url, autocommit=True) as conn:
        _ensure(conn)
        cur = conn.execute(
            "select run_id, as_of, status, started_at, finished_at, stages, mart_rows "
            "from ops.pipeline_runs order by started_at desc limit %s",
            (limit,),
        )
        cols = [c.name for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
