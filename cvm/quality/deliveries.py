"""The raw gate's verdict per delivery, kept in `raw.load_audit.gate_status`: blocked stays blocked.

A delivery that failed a blocking expectation is `blocked` until a corrected file under the same name
replaces it (the loader marks the old load `replaced`) or an operator releases it with a reason
(`cvm delivery release ID --reason ...`, recorded with the time). Every later gate run re-checks the
blocked and never-checked loads, so a re-run of the same landing zone cannot forget them, and publishing
requires every delivery in force to have `passed` or been `released`.
"""

from __future__ import annotations

from collections import defaultdict

from psycopg import Connection

from cvm.errors import DeliveryError
from cvm.warehouse import connect


def unchecked_loads(conn: Connection) -> list[int]:
    """Loads in force that have no passing verdict yet: never checked, or blocked before."""
    return [
        r[0]
        for r in conn.execute(
            "select load_id from raw.load_audit where status = 'loaded' and rows_loaded > 0"
            " and (gate_status is null or gate_status = 'blocked') order by load_id"
        ).fetchall()
    ]


def loads_by_entity(conn: Connection, load_ids: list[int]) -> dict[str, list[int]]:
    """`<system>_<entity>` -> the loads among `load_ids` that are in force and have rows."""
    out: dict[str, list[int]] = defaultdict(list)
    for load_id, name in conn.execute(
        "select load_id, system || '_' || entity from raw.load_audit where load_id = any(%s)"
        " and status = 'loaded' and rows_loaded > 0 order by load_id",
        (list(load_ids),),
    ).fetchall():
        out[name].append(load_id)
    return dict(out)


def rows_by_entity(conn: Connection, load_ids: list[int]) -> dict[str, int]:
    """`<system>_<entity>` -> rows loaded by the loads among `load_ids` in force (to parse the largest first)."""
    return dict(
        conn.execute(
            "select system || '_' || entity, sum(rows_loaded)::bigint from raw.load_audit where load_id = any(%s)"
            " and status = 'loaded' and rows_loaded > 0 group by 1",
            (list(load_ids),),
        ).fetchall()
    )


def record_verdicts(conn: Connection, verdicts: dict[int, str | None]) -> None:
    """load id -> None (passed) or the reason it is blocked."""
    for load_id, reason in verdicts.items():
        conn.execute(
            "update raw.load_audit set gate_status = %s, gate_detail = %s where load_id = %s"
            " and gate_status is distinct from 'released'",
            ("blocked" if reason else "passed", reason, load_id),
        )


def release(url: str, load_id: int, reason: str) -> str:
    """Let a blocked delivery through; the reason and the time are recorded in `raw.load_audit`."""
    if not reason.strip():
        raise DeliveryError("a release needs a reason (--reason '...'): it is recorded with the delivery")
    with connect(url) as conn:
        row = conn.execute(
            "select path, status, gate_status from raw.load_audit where load_id = %s", (load_id,)
        ).fetchone()
        if row is None:
            raise DeliveryError(f"no delivery with load id {load_id} in raw.load_audit")
        path, status, gate = row
        if status != "loaded" or gate != "blocked":
            raise DeliveryError(
                f"load {load_id} ({path}) is {status}/{gate or 'unchecked'}, not blocked: nothing to release"
            )
        conn.execute(
            "update raw.load_audit set gate_status = 'released', released_reason = %s,"
            " released_at = clock_timestamp() where load_id = %s",
            (reason.strip(), load_id),
        )
    return path


def not_passed(url: str) -> list[tuple[int, str, str]]:
    """(load id, path, state) of deliveries in force that have neither passed the gate nor been released."""
    with connect(url) as conn:
        exists = conn.execute("select to_regclass('raw.load_audit') is not null").fetchone()[0]
        if not exists:
            return []
        return [
            tuple(r)
            for r in conn.execute(
                "select load_id, path, coalesce(gate_status, 'unchecked') from raw.load_audit"
                " where status = 'loaded' and rows_loaded > 0 and gate_status is distinct from 'passed'"
                " and gate_status is distinct from 'released' order by load_id"
            ).fetchall()
        ]


def require_all_passed(url: str) -> None:
    """Refuse to publish while a delivery in force is blocked or unchecked."""
    pending = not_passed(url)
    if pending:
        shown = "; ".join(f"load {i} {p} ({s})" for i, p, s in pending[:5])
        more = f" and {len(pending) - 5} more" if len(pending) > 5 else ""
        raise DeliveryError(
            f"not published: {len(pending)} deliveries have not passed the raw gate: {shown}{more}"
            " (fix and re-deliver, or `cvm delivery release ID --reason ...`)"
        )


def flagged_summary(url: str, load_ids: list[int], limit: int = 5) -> tuple[int, list[str]]:
    """(number of flagged values in these loads, the first few as 'file row N column: value (reason)')."""
    with connect(url) as conn:
        total = conn.execute(
            "select count(*) from raw.flagged_values where load_id = any(%s)", (list(load_ids),)
        ).fetchone()[0]
        rows = conn.execute(
            "select source_file, row_number, column_name, value, reason from raw.flagged_values"
            " where load_id = any(%s) order by load_id, row_number, column_name limit %s",
            (list(load_ids), limit),
        ).fetchall()
    return total, [f"{f} row {r} column {c}: {v!r} ({why})" for f, r, c, v, why in rows]
