"""Rows that cannot be parsed: collected per delivery, written to `raw.quarantine` in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import Connection

MAX_RAW_LINE_CHARS = 100_000  # a runaway unterminated quote must not turn into a 1 GB quarantine row


@dataclass(frozen=True)
class BadRow:
    row_number: int | None
    raw_line: str
    reason: str


def printable(raw: str) -> str:
    """Text PostgreSQL accepts: undecodable bytes (surrogate escapes) and NUL shown as `\\xNN`."""
    out = raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace").replace("\x00", "\\x00")
    return out if len(out) <= MAX_RAW_LINE_CHARS else out[:MAX_RAW_LINE_CHARS] + "...[truncated]"


def write_quarantine(
    conn: Connection, load_id: int, system: str, entity: str, source_file: str, rows: list[BadRow]
) -> None:
    if not rows:
        return
    with (
        conn.cursor() as cur,
        cur.copy(
            "copy raw.quarantine (load_id, system, entity, source_file, row_number, raw_line, reason) from stdin"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(
                (load_id, system, entity, source_file, row.row_number, printable(row.raw_line), printable(row.reason))
            )
