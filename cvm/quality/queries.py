"""SQL of the gate's query assets: this run's raw rows plus safe-cast helper columns.

One query per entity, filtered on the run's load ids, so the gate reads only new data and stays fast.
PostgreSQL has no TRY_CAST: a value parses when it matches the ISO/number pattern and its date is on the
calendar (`pg_input_is_valid` on PG 16+, plain SQL before), so `2026-02-30` is caught as well as `31-02-2026`.
"""

from __future__ import annotations

from psycopg import sql

from cvm.contract import Entity

_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
_DATE = r"^\d{4}-\d{2}-\d{2}$"
_INTEGER = r"^\s*[-+]?\d{1,9}\s*$"
_NUMBER = r"^[-+]?\d+(\.\d+)?$"


def _valid(kind: str, col: sql.Composable, pg16: bool) -> tuple[sql.Composable, sql.Composable | None]:
    """(boolean expression 'value parses', typed value expression or None)."""
    if kind in ("date", "timestamp"):
        pattern, pg_type = (_DATE, "date") if kind == "date" else (_TIMESTAMP, "timestamptz")
        if pg16:
            check = sql.SQL("({c} ~ {p} and pg_input_is_valid({c}, {t}))").format(
                c=col, p=sql.Literal(pattern), t=sql.Literal(pg_type)
            )
        else:  # PostgreSQL < 16: the same calendar check in plain SQL (CASE keeps make_date from erroring)
            check = sql.SQL(
                "({c} ~ {p} and case when substr({c}, 1, 4)::int >= 1 and substr({c}, 6, 2)::int between 1 and 12"
                " then substr({c}, 9, 2)::int between 1 and extract(day from make_date(substr({c}, 1, 4)::int,"
                " substr({c}, 6, 2)::int, 1) + interval '1 month - 1 day')::int else false end)"
            ).format(c=col, p=sql.Literal(pattern))
        return check, None
    if kind == "integer":
        check = sql.SQL("({c} ~ {p})").format(c=col, p=sql.Literal(_INTEGER))
        return check, sql.SQL("trim({c})::integer").format(c=col)
    # amount: normalise with the decimal separator the delivery used (load_audit), then match a number
    norm = sql.SQL(
        "(case when a.decimal_separator = ',' then replace(replace(trim({c}), '.', ''), ',', '.') else trim({c}) end)"
    ).format(c=col)
    check = sql.SQL("({n} ~ {p})").format(n=norm, p=sql.Literal(_NUMBER))
    return check, sql.SQL("{n}::numeric").format(n=norm)


def raw_query(entity: Entity, casts: dict[str, str], load_ids: list[int], *, pg16: bool) -> str:
    """Rows of `raw.<entity>` in these loads, with `<col>__invalid` / `<col>__value` helper columns."""
    cols = [sql.SQL("r.{}").format(sql.Identifier(c)) for c in (*entity.columns, "_load_id", "_row_number")]
    for column, kind in casts.items():
        col = sql.SQL("r.{}").format(sql.Identifier(column))
        check, value = _valid(kind, col, pg16)
        cols.append(
            sql.SQL("case when {c} is not null and not {ok} then {c} end as {n}").format(
                c=col, ok=check, n=sql.Identifier(f"{column}__invalid")
            )
        )
        if value is not None:
            cols.append(
                sql.SQL("case when {ok} then {v} end as {n}").format(
                    ok=check, v=value, n=sql.Identifier(f"{column}__value")
                )
            )
    query = sql.SQL(
        "select {cols} from raw.{table} r join raw.load_audit a on a.load_id = r._load_id where r._load_id in ({ids})"
    ).format(
        cols=sql.SQL(", ").join(cols),
        table=sql.Identifier(entity.name),
        ids=sql.SQL(", ").join(sql.Literal(int(i)) for i in load_ids),
    )
    return query.as_string(None)
