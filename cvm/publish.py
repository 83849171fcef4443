"""Atomic publish: the marts built in `marts_next` replace `marts` in one transaction.

PostgreSQL DDL is transactional, so BI users see either the previous marts or the new ones, never a mix;
a run that fails before this step leaves the published marts untouched. The read-only role `cvm_reader`
(NOLOGIN: grant it to your BI login) gets USAGE + SELECT on the new schema.
"""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg
import yaml
from psycopg import sql

from cvm.settings import PROJECT_ROOT
from cvm.warehouse import connect

log = logging.getLogger("cvm.publish")

BUILD_SCHEMA = "marts_next"
PUBLISHED_SCHEMA = "marts"
READER_ROLE = "cvm_reader"

MARTS_MODELS = PROJECT_ROOT / "dbt_project" / "models" / "marts"


def contract_models(models: Path = MARTS_MODELS) -> dict[str, str]:
    """The output contract (DESIGN.md), read from its one owner: every model of `_marts__models.yml` under an
    enforced dbt contract -> the name it is published under (its `alias` config, else the model name)."""
    spec = yaml.safe_load((models / "_marts__models.yml").read_text(encoding="utf-8"))
    out = {}
    for model in spec["models"]:
        config = model.get("config") or {}
        if (config.get("contract") or {}).get("enforced") is True:
            name = model["name"]
            out[name] = config.get("alias") or name
    return out


def contract_tables(models: Path = MARTS_MODELS) -> tuple[str, ...]:
    """The published tables of the output contract: a mart added under a contract is required by the publish
    without a second list to keep in step."""
    return tuple(contract_models(models).values())


# publishing refuses to swap in a build that lacks any of these
CONTRACT_TABLES: tuple[str, ...] = contract_tables()

# Every published contact plan is appended here (it outlives the swap of `marts`; dbt creates the table,
# macro ensure_contact_plan_history, and marts.contact_plan_history is a view on it).
PLAN_HISTORY = ("history", "contact_plan_history")


class PublishError(RuntimeError):
    pass


def _tables(conn, schema: str) -> list[str]:  # noqa: ANN001
    rows = conn.execute(
        "select table_name from information_schema.tables where table_schema = %s order by 1", (schema,)
    ).fetchall()
    return [r[0] for r in rows]


def ensure_reader_role(conn, role: str = READER_ROLE) -> bool:  # noqa: ANN001
    """Create the NOLOGIN reader role if needed; False when it is missing and we may not create it (a
    warehouse login without CREATEROLE): the marts are then published without grants, with a warning."""
    if conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone():
        return True
    try:
        with conn.transaction():  # a savepoint: a refused CREATE ROLE must not abort the publish
            conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
        return True
    except psycopg.errors.InsufficientPrivilege:
        log.warning(
            "role %s does not exist and this login may not create it: marts published without "
            "read grants (create the role once as an administrator)",
            role,
        )
        return False


def publish_marts(url: str, reader_role: str = READER_ROLE) -> dict[str, int]:
    """Swap `marts_next` in as `marts`; returns the published row count per table."""
    with connect(url) as conn:
        tables = _tables(conn, BUILD_SCHEMA)
        missing = sorted(set(CONTRACT_TABLES) - set(tables))
        if missing:
            raise PublishError(f"{BUILD_SCHEMA} lacks contract tables {', '.join(missing)}: nothing published")
        counts = {
            t: conn.execute(
                sql.SQL("select count(*) from {}.{}").format(sql.Identifier(BUILD_SCHEMA), sql.Identifier(t))
            ).fetchone()[0]
            for t in tables
        }
        can_grant = ensure_reader_role(conn, reader_role)
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(PUBLISHED_SCHEMA)))
        conn.execute(
            sql.SQL("alter schema {} rename to {}").format(
                sql.Identifier(BUILD_SCHEMA), sql.Identifier(PUBLISHED_SCHEMA)
            )
        )
        appended = append_plan_history(conn)
        if can_grant:
            role = sql.Identifier(reader_role)
            schema = sql.Identifier(PUBLISHED_SCHEMA)
            conn.execute(sql.SQL("grant usage on schema {} to {}").format(schema, role))
            conn.execute(sql.SQL("grant select on all tables in schema {} to {}").format(schema, role))
        conn.commit()
    log.info(
        "published %d tables, %d rows to schema %s (%d plan rows added to %s.%s)",
        len(counts),
        sum(counts.values()),
        PUBLISHED_SCHEMA,
        appended,
        *PLAN_HISTORY,
    )
    return counts


def append_plan_history(conn) -> int:  # noqa: ANN001
    """Append the contact plan being published to the plan history, in the publishing transaction (a failed
    run adds nothing). The columns are those the history table and marts.contact_plan share; nothing is
    appended while the history table does not exist (dbt creates it with the contact_plan_history view)."""
    columns = [
        r[0]
        for r in conn.execute(
            """select h.column_name from information_schema.columns h
           join information_schema.columns p on p.column_name = h.column_name
            and p.table_schema = %s and p.table_name = 'contact_plan'
           where h.table_schema = %s and h.table_name = %s order by h.ordinal_position""",
            (PUBLISHED_SCHEMA, *PLAN_HISTORY),
        ).fetchall()
    ]
    if not columns:
        return 0
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    cur = conn.execute(
        sql.SQL("insert into {}.{} ({}, published_at) select {}, now() from {}.contact_plan").format(
            *map(sql.Identifier, PLAN_HISTORY), cols, cols, sql.Identifier(PUBLISHED_SCHEMA)
        )
    )
    return cur.rowcount


def mart_counts(url: str) -> dict[str, int]:
    """Row counts of the published marts (empty when nothing was published yet)."""
    with connect(url) as conn:
        return {
            t: conn.execute(
                sql.SQL("select count(*) from {}.{}").format(sql.Identifier(PUBLISHED_SCHEMA), sql.Identifier(t))
            ).fetchone()[0]
            for t in _tables(conn, PUBLISHED_SCHEMA)
        }
