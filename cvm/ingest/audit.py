"""`raw.load_audit`: one row per delivery attempt, the basis of exactly-once loading.

A load first commits its audit row as `failed` / "interrupted" (so a killed process leaves an honest
trace and a load id that shows it started), then flips it to `loaded` in the same transaction as the
data: the rows and the `loaded` status become visible together or not at all.
"""

from __future__ import annotations

from psycopg import Connection
from psycopg.types.json import Jsonb

from cvm.ingest.quarantine import printable

INTERRUPTED = "interrupted: the load did not finish (process killed or connection lost); nothing was kept"


def previous_load(conn: Connection, system: str, entity: str, sha256: str) -> tuple[int, str] | None:
    """(load_id, path) of an earlier successful load of identical content for this entity."""
    row = conn.execute(
        "select load_id, path from raw.load_audit where system = %s and entity = %s and sha256 = %s"
        " and status = 'loaded' order by load_id limit 1",
        (system, entity, sha256),
    ).fetchone()
    return (row[0], row[1]) if row else None


def loaded_under_path(conn: Connection, system: str, entity: str, path: str) -> list[tuple[int, int]]:
    """(load_id, rows) of loads still in force of a file with this name: a changed file corrects them."""
    return [
        tuple(r)
        for r in conn.execute(
            "select load_id, coalesce(rows_loaded, 0) from raw.load_audit where system = %s and entity = %s"
            " and path = %s and status = 'loaded' order by load_id",
            (system, entity, path),
        ).fetchall()
    ]


def mark_replaced(conn: Connection, old_load_id: int, new_load_id: int, path: str) -> None:
    conn.execute(
        "update raw.load_audit set status = 'replaced', replaced_by = %s, error = %s where load_id = %s",
        (new_load_id, f"{path}: replaced by load {new_load_id} (a corrected file under the same name)", old_load_id),
    )
    conn.execute("delete from raw.flagged_values where load_id = %s", (old_load_id,))


def record_skipped(conn: Connection, system: str, entity: str, path: str, sha256: str, size: int, reason: str) -> int:
    return conn.execute(
        "insert into raw.load_audit (system, entity, path, sha256, bytes, rows_read, rows_loaded,"
        " rows_quarantined, finished_at, status, error) values (%s, %s, %s, %s, %s, 0, 0, 0,"
        " clock_timestamp(), 'skipped', %s) returning load_id",
        (system, entity, path, sha256, size, reason),
    ).fetchone()[0]


def start_load(conn: Connection, system: str, entity: str, path: str, sha256: str, size: int) -> int:
    """Commit a provisional audit row (autocommit connection) and return its load id."""
    return conn.execute(
        "insert into raw.load_audit (system, entity, path, sha256, bytes, status, error)"
        " values (%s, %s, %s, %s, %s, 'failed', %s) returning load_id",
        (system, entity, path, sha256, size, INTERRUPTED),
    ).fetchone()[0]


def finish_load(
    conn: Connection,
    load_id: int,
    *,
    status: str,
    rows_read: int | None = None,
    rows_loaded: int | None = None,
    rows_quarantined: int | None = None,
    options: dict | None = None,
    error: str | None = None,
) -> None:
    decimal = (options or {}).get("decimal_separator") or "."
    error = printable(error) if error is not None else None  # a message may quote NUL bytes
    conn.execute(
        "update raw.load_audit set status = %s, rows_read = %s, rows_loaded = %s, rows_quarantined = %s,"
        " options = %s, decimal_separator = %s, error = %s, finished_at = clock_timestamp()"
        " where load_id = %s",
        (
            status,
            rows_read,
            rows_loaded,
            rows_quarantined,
            Jsonb(options) if options is not None else None,
            decimal,
            error,
            load_id,
        ),
    )
