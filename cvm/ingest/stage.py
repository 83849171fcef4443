"""Where a reader's COPY goes: straight into `raw.<entity>`, or via a staging table.

Direct (the fast path, no unknown columns): COPY into the raw table itself, the lineage columns filled
by their defaults from transaction-local settings and the per-entity row sequence (see schema.py).
Staged (unknown columns to fold into `_extra`, or row numbers that skip quarantined rows): readers write
into a temporary table `_stage (_rn bigint, c1 text, ...)` inside the delivery's
transaction; `_rn` is the 1-based data record number (a bigserial, so COPY assigns it in input order).
The final INSERT adds the lineage columns and folds unknown columns into `_extra`, so readers never
touch the raw table themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from psycopg import Connection, sql

from cvm.contract import Entity
from cvm.ingest.schema import raw_table, row_sequence

STAGE = sql.Identifier("_stage")
_JSONB_PAIRS_PER_CALL = 50  # jsonb_build_object takes at most 100 arguments


@dataclass(frozen=True)
class StageLayout:
    """Which staging column holds which contract column, and what goes into `_extra`."""

    columns: tuple[str, ...]  # staging columns c1..cN in delivery order
    mapping: dict[str, str]  # contract column -> staging column
    extras: tuple[tuple[str, str], ...] = ()  # (delivered header, staging column) of unknown columns
    extra_json: str | None = None  # a staging column already holding `_extra` as JSON text (jsonl)
    force_null: bool = True  # CSV: quoted empty strings become NULL too
    meta: dict[str, object] = field(default_factory=dict)


def create_stage(conn: Connection, layout: StageLayout) -> None:
    conn.execute(sql.SQL("drop table if exists pg_temp.{}").format(STAGE))
    cols = [sql.SQL("{} text").format(sql.Identifier(c)) for c in layout.columns]
    ddl = sql.SQL("create temp table {} (_rn bigserial, {}) on commit drop")
    conn.execute(ddl.format(STAGE, sql.SQL(", ").join(cols)))


def _extra_expr(layout: StageLayout) -> sql.Composable:
    if layout.extra_json:
        return sql.SQL("{}::jsonb").format(sql.Identifier(layout.extra_json))
    if not layout.extras:
        return sql.SQL("null::jsonb")
    calls = []
    for start in range(0, len(layout.extras), _JSONB_PAIRS_PER_CALL):
        chunk = layout.extras[start : start + _JSONB_PAIRS_PER_CALL]
        args = sql.SQL(", ").join(sql.SQL("{}, {}").format(sql.Literal(key), sql.Identifier(col)) for key, col in chunk)
        calls.append(sql.SQL("jsonb_build_object({})").format(args))
    return sql.SQL(" || ").join(calls)


def publish_stage(conn: Connection, entity: Entity, layout: StageLayout, load_id: int, source_file: str) -> int:
    """Append the staged rows to the raw table with their lineage; returns the number of rows."""
    selects = [sql.Identifier(layout.mapping[c]) if c in layout.mapping else sql.SQL("null") for c in entity.columns]
    target = [sql.Identifier(c) for c in entity.columns] + [
        sql.Identifier(c) for c in ("_load_id", "_source_file", "_row_number", "_loaded_at", "_extra")
    ]
    query = sql.SQL(
        "insert into {table} ({target}) select {selects}, {load_id}, {source}, _rn, now(), {extra} from {stage}"
    ).format(
        table=raw_table(entity),
        target=sql.SQL(", ").join(target),
        selects=sql.SQL(", ").join(selects),
        load_id=sql.Literal(load_id),
        source=sql.Literal(source_file),
        extra=_extra_expr(layout),
        stage=STAGE,
    )
    return conn.execute(query).rowcount


def target_columns(layout: StageLayout) -> list[str]:
    """Contract column per staging column, in delivery order (direct COPY needs no unknown columns)."""
    inverse = {stage: contract for contract, stage in layout.mapping.items()}
    return [inverse[c] for c in layout.columns]


def begin_direct(conn: Connection, entity: Entity, load_id: int, source_file: str) -> sql.Composed:
    """Arm the lineage defaults for this transaction; returns the raw table to COPY into."""
    conn.execute(
        "select set_config('cvm.load_id', %s, true), set_config('cvm.source_file', %s, true),"
        " setval(%s::regclass, 1, false)",
        (str(load_id), source_file, row_sequence(entity)),
    )
    return raw_table(entity)
