"""SQL of the raw gate: this run's raw rows plus parse-check helper columns, materialised once per entity.

Whether a value parses is decided by the SQL functions of `cvm.ingest.values` (`raw.cvm_date`,
`raw.cvm_timestamp`, `raw.cvm_integer`, `raw.cvm_amount`), the same ones dbt staging calls: the gate
flags exactly the values staging would turn into NULL. A blank value is missing, not invalid (the
not-null expectations judge those).
"""

from __future__ import annotations

from psycopg import sql

from cvm.contract import Entity

GATE_SCHEMA = "raw_gate"  # unlogged tables of the rows under check, rebuilt by every gate run

_PARSE = {
    "date": "raw.cvm_date({c})",
    "timestamp": "raw.cvm_timestamp({c}, 'UTC')",
    "integer": "raw.cvm_integer({c})",
    "amount": "raw.cvm_amount({c}, a.decimal_separator)",
}

_REASONS = {
    "date": "not a date that exists (yyyy-mm-dd or dd-mm-yyyy)",
    "timestamp": "not a date and time that exist",
    "integer": "not a whole number",
    "amount": "not an amount in the delivery's decimal separator (load_audit.decimal_separator)",
}


def parsed(kind: str, col: sql.Composable) -> sql.Composable:
    """The typed value of a raw text column, NULL when it does not parse (the shared definition)."""
    return sql.SQL(_PARSE[kind]).format(c=col)


def raw_query(entity: Entity, casts: dict[str, str], load_ids: list[int]) -> sql.Composed:
    """Rows of `raw.<entity>` in these loads, with `<col>__invalid` and (numbers) `<col>__value` columns."""
    cols = [
        sql.SQL("r.{}").format(sql.Identifier(c)) for c in (*entity.columns, "_load_id", "_source_file", "_row_number")
    ]
    for column, kind in casts.items():
        col = sql.SQL("r.{}").format(sql.Identifier(column))
        value = parsed(kind, col)
        cols.append(
            sql.SQL("case when nullif(btrim({c}), '') is not null and {v} is null then {c} end as {n}").format(
                c=col, v=value, n=sql.Identifier(f"{column}__invalid")
            )
        )
        if kind in ("integer", "amount"):
            cols.append(sql.SQL("{v} as {n}").format(v=value, n=sql.Identifier(f"{column}__value")))
    return sql.SQL(
        "select {cols} from raw.{table} r join raw.load_audit a on a.load_id = r._load_id where r._load_id = any({ids})"
    ).format(
        cols=sql.SQL(", ").join(cols),
        table=sql.Identifier(entity.name),
        ids=sql.Literal([int(i) for i in load_ids]),
    )


def materialise(entity: Entity, casts: dict[str, str], load_ids: list[int]) -> sql.Composed:
    """Build `raw_gate.<entity>` once: every expectation then reads the parsed rows, not the raw ones."""
    table = sql.Identifier(GATE_SCHEMA, entity.name)
    return sql.SQL("drop table if exists {t}; create unlogged table {t} as {q}; analyze {t}").format(
        t=table, q=raw_query(entity, casts, load_ids)
    )


def flagged_insert(entity: Entity, casts: dict[str, str]) -> sql.Composed:
    """Copy the unparsable values of `raw_gate.<entity>` to `raw.flagged_values` (file, row, column, value)."""
    parts = [
        sql.SQL(
            "select _load_id, {sys}, {ent}, _source_file, _row_number, {col}, {inv}, {why} from {t}"
            " where {inv} is not null"
        ).format(
            sys=sql.Literal(entity.system),
            ent=sql.Literal(entity.entity),
            col=sql.Literal(column),
            inv=sql.Identifier(f"{column}__invalid"),
            why=sql.Literal(_REASONS[kind]),
            t=sql.Identifier(GATE_SCHEMA, entity.name),
        )
        for column, kind in casts.items()
    ]
    return sql.SQL(
        "insert into raw.flagged_values (load_id, system, entity, source_file, row_number, column_name,"
        " value, reason) {}"
    ).format(sql.SQL(" union all ").join(parts))
