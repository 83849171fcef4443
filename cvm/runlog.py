"""The run log (`ops.pipeline_runs`): one row per pipeline run with the figures of every stage.

It is what `cvm status` reads and what a data engineer queries to see when the marts were last published.
Each row notes the host and process id that last worked on it: a run whose process died (kill -9, a
machine reboot) would otherwise stay `running` for ever, so the next run marks it `abandoned`.
"""

from __future__ import annotations

import json
import logging
import os
import socket
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
    status      text not null default 'running',   -- running | failed | published | abandoned
    stages      jsonb not null default '{}'::jsonb,  -- stage -> {status, seconds, figures}
    mart_rows   jsonb                                -- table -> rows, as published
);
alter table ops.pipeline_runs add column if not exists host text;
alter table ops.pipeline_runs add column if not exists pid integer;
"""

log = logging.getLogger("cvm.runlog")


def _ensure(conn) -> None:  # noqa: ANN001
    conn.execute(DDL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_abandoned(conn) -> list[str]:  # noqa: ANN001
    """Runs still `running` whose process on this host is gone: mark them `abandoned` (returns their ids)."""
    host = socket.gethostname()
    rows = conn.execute(
        "select run_id, pid from ops.pipeline_runs where status = 'running' and host = %s and pid is not null", (host,)
    ).fetchall()
    dead = [run_id for run_id, pid in rows if pid != os.getpid() and not _alive(pid)]
    if dead:
        conn.execute(
            "update ops.pipeline_runs set status = 'abandoned', finished_at = now() where run_id = any(%s)", (dead,)
        )
        log.warning("marked %d earlier run(s) abandoned (their process died): %s", len(dead), ", ".join(dead))
    return dead


def start_run(url: str, run_id: str, as_of: str, landing: str) -> None:
    with connect(url, autocommit=True) as conn:
        _ensure(conn)
        mark_abandoned(conn)
        conn.execute(
            "insert into ops.pipeline_runs (run_id, as_of, landing, host, pid) values (%s, %s, %s, %s, %s) "
            "on conflict (run_id) do nothing",
            (run_id, as_of, landing, socket.gethostname(), os.getpid()),
        )


def claim(url: str, run_id: str) -> None:
    """This process now works on the run (a stage starts): if it dies, the next run marks it abandoned."""
    with connect(url, autocommit=True) as conn:
        _ensure(conn)
        conn.execute(
            "update ops.pipeline_runs set host = %s, pid = %s where run_id = %s",
            (socket.gethostname(), os.getpid(), run_id),
        )


def record_stage(url: str, run_id: str, stage: str, status: str, seconds: float, figures: dict[str, Any]) -> None:
    entry = {"status": status, "seconds": seconds, **json.loads(json.dumps(figures, default=str))}
    with connect(url, autocommit=True) as conn:
        _ensure(conn)
        conn.execute(
            "update ops.pipeline_runs set stages = stages || jsonb_build_object(%s::text, %s::jsonb), "
            "status = case when %s = 'failed' then 'failed' else status end, host = %s, pid = %s where run_id = %s",
            (stage, Jsonb(entry), status, socket.gethostname(), os.getpid(), run_id),
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
