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


# where a value was delivered: always kept. The file is its load's (raw.load_audit.path, as `_source_file`): the
# gate tables leave that long text out of every row and scan (the examples and flagged values look it up)
LINEAGE = ("_load_id", "_row_number")
_ALL_COLUMN_TYPES = ("expect_table_column", "expect_table_columns")  # table-shape expectations read every column
# `<id>__in_load` = '<load id>:<id>': an id unique within its delivery is one unique column, which GX checks with a
# hashed NOT IN (half the time of its compound-columns join over (_load_id, id))
IN_LOAD = "__in_load"


def _named(expectations: tuple[dict, ...]) -> set[str]:
    named: set[str] = set()
    for exp in expectations:
        for value in exp["kwargs"].values():
            named.update(v for v in (value if isinstance(value, list | tuple) else [value]) if isinstance(v, str))
    return named


def in_load_columns(expectations: tuple[dict, ...]) -> tuple[str, ...]:
    """The delivered columns a suite checks as `<column>__in_load`, in the order named."""
    return tuple(dict.fromkeys(n.removesuffix(IN_LOAD) for n in sorted(_named(expectations)) if n.endswith(IN_LOAD)))


def checked_columns(entity: Entity, expectations: tuple[dict, ...]) -> tuple[str, ...]:
    """The delivered columns the suite's expectations name, in contract order; every column when one of
    them is about the table's columns (their count, set or order), so the gate never hides a column."""
    if any(e["type"].startswith(_ALL_COLUMN_TYPES) for e in expectations):
        return entity.columns
    named = _named(expectations) | set(in_load_columns(expectations))
    return tuple(c for c in entity.columns if c in named)


def unique_keys(expectations: tuple[dict, ...]) -> tuple[str, ...]:
    """The columns uniqueness expectations group by (`_load_id` and the entity's id)."""
    keys: list[str] = []
    for exp in expectations:
        if "unique" in exp["type"]:
            kwargs = exp["kwargs"]
            for column in [kwargs["column"]] if "column" in kwargs else kwargs.get("column_list") or ():
                if column not in keys:
                    keys.append(column)
    return tuple(keys)


_READ_AS = {"text": "raw.cvm_text(r.{c}) as {c}", "code": "raw.cvm_code(r.{c}) as {c}"}


def raw_query(
    entity: Entity,
    casts: dict[str, str],
    load_ids: list[int],
    columns: tuple[str, ...] | None = None,
    read_as: dict[str, str] | None = None,
    in_load: tuple[str, ...] = (),
) -> sql.Composed:
    """Rows of `raw.<entity>` in these loads: `columns` (default all), where they were delivered,
    `<col>__invalid` and (numbers) `<col>__value` for every cast column, and `<col>__in_load` for every
    `in_load` column. A `read_as` column (text, code) is kept in the form staging reads it: trimmed, a code
    lowercase, so `' Klacht '` is judged as `klacht` (and its `__in_load` is built from that form).

    Each value is parsed once, in a subquery the planner may not flatten (`offset 0`): flattened, the
    parse would be repeated for `__invalid` and `__value`."""
    kept = entity.columns if columns is None else columns
    read_as = read_as or {}
    inner = [
        sql.SQL(_READ_AS[read_as[c]]).format(c=sql.Identifier(c))
        if c in read_as
        else sql.SQL("r.{}").format(sql.Identifier(c))
        for c in (*dict.fromkeys((*kept, *casts)), *LINEAGE)
    ]
    outer = [sql.Identifier(c) for c in (*kept, *LINEAGE)]
    outer += [
        sql.SQL("_load_id::text || ':' || {c} as {n}").format(c=sql.Identifier(c), n=sql.Identifier(c + IN_LOAD))
        for c in in_load or ()
    ]
    for column, kind in casts.items():
        col, parsed_as = sql.Identifier(column), sql.Identifier(f"{column}__parsed")
        inner.append(sql.SQL("{v} as {p}").format(v=parsed(kind, sql.SQL("r.{}").format(col)), p=parsed_as))
        outer.append(
            sql.SQL("case when nullif(btrim({c}), '') is not null and {p} is null then {c} end as {n}").format(
                c=col, p=parsed_as, n=sql.Identifier(f"{column}__invalid")
            )
        )
        if kind in ("integer", "amount"):
            outer.append(sql.SQL("{p} as {n}").format(p=parsed_as, n=sql.Identifier(f"{column}__value")))
    return sql.SQL(
        "select {outer} from (select {inner} from raw.{table} r join raw.load_audit a on a.load_id = r._load_id"
        " where r._load_id = any({ids}) offset 0) p"
    ).format(
        outer=sql.SQL(", ").join(outer),
        inner=sql.SQL(", ").join(inner),
        table=sql.Identifier(entity.name),
        ids=sql.Literal([int(i) for i in load_ids]),
    )


def materialise(
    entity: Entity,
    casts: dict[str, str],
    load_ids: list[int],
    columns: tuple[str, ...] | None = None,
    keys: tuple[str, ...] = (),
    read_as: dict[str, str] | None = None,
) -> sql.Composed:
    """Build `raw_gate.<entity>` once: every expectation then reads the parsed rows, not the raw ones.

    Only the columns the suite checks are kept (writing the others cost as much as parsing), and only the
    `keys` (the uniqueness checks' columns: their grouping is the one plan that needs statistics) are
    analysed; the other expectations are single aggregate scans."""
    table = sql.Identifier(GATE_SCHEMA, entity.name)
    in_load = tuple(k.removesuffix(IN_LOAD) for k in keys if k.endswith(IN_LOAD))  # built, then analysed
    analyse = (
        sql.SQL("; analyze {t} ({k})").format(t=table, k=sql.SQL(", ").join(map(sql.Identifier, keys)))
        if keys
        else sql.SQL("")
    )
    return sql.SQL("drop table if exists {t}; create unlogged table {t} as {q}{a}").format(
        t=table, q=raw_query(entity, casts, load_ids, columns, read_as, in_load), a=analyse
    )


def allowed_codes(expectations: tuple[dict, ...]) -> dict[str, tuple[str, ...]]:
    """Column -> allowed values, of the suite's in-set checks. Most tolerate a share of other codes
    (`mostly`): those rows load, so each such value is flagged with its file and row instead of passing
    unseen (a ticket category 'klacht' would silently be no complaint)."""
    return {
        e["kwargs"]["column"]: tuple(e["kwargs"]["value_set"])
        for e in expectations
        if e["type"] == "expect_column_values_to_be_in_set"
    }


def flagged_insert(
    entity: Entity, casts: dict[str, str], codes: dict[str, tuple[str, ...]] | None = None
) -> sql.Composed:
    """Copy the unparsable values and the codes outside their allowed set of `raw_gate.<entity>` to
    `raw.flagged_values` (file, row, column, value as read, reason).

    One scan: only the rows with such a value (nearly none) are fanned out to their columns."""
    t = sql.Identifier(GATE_SCHEMA, entity.name)
    flags = [  # (column, the flagged value or NULL, reason)
        (column, sql.SQL("t.{}").format(sql.Identifier(f"{column}__invalid")), _REASONS[kind])
        for column, kind in casts.items()
    ]
    for column, allowed in (codes or {}).items():
        outside = sql.SQL("case when t.{c} <> all({a}) then t.{c} end").format(
            c=sql.Identifier(column), a=sql.Literal(list(allowed))
        )
        flags.append((column, outside, f"not an allowed value ({', '.join(allowed)})"))
    values = sql.SQL(", ").join(
        sql.SQL("({}, {}, {})").format(sql.Literal(column), value, sql.Literal(reason))
        for column, value, reason in flags
    )
    return sql.SQL(
        "insert into raw.flagged_values (load_id, system, entity, source_file, row_number, column_name,"
        " value, reason) select t._load_id, {sys}, {ent}, a.path, t._row_number, v.col, v.value, v.reason"
        " from {t} t join raw.load_audit a on a.load_id = t._load_id"
        " cross join lateral (values {values}) v (col, value, reason) where ({any}) and v.value is not null"
    ).format(
        sys=sql.Literal(entity.system),
        ent=sql.Literal(entity.entity),
        t=t,
        values=values,
        any=sql.SQL(" or ").join(sql.SQL("{} is not null").format(value) for _, value, _ in flags),
    )
