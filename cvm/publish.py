"""Atomic publish: the marts built in `marts_next` replace `marts` in one transaction.

PostgreSQL DDL is transactional, so BI users see either the previous marts or the new ones, never a mix;
a run that fails before this step leaves the published marts untouched. The read-only role `cvm_reader`
(NOLOGIN: grant it to your BI login) gets USAGE + SELECT on the new schema.
"""

from __future__ import annotations

import logging

from psycopg import sql

from cvm.warehouse import connect

log = logging.getLogger("cvm.publish")

BUILD_SCHEMA = "marts_next"
PUBLISHED_SCHEMA = "marts"
READER_ROLE = "cvm_reader"

# The output contract of DESIGN.md: publishing refuses to swap in a build that lacks any of these.
CONTRACT_TABLES: tuple[str, ...] = (
    "dim_customer", "customer_identity_map", "customer_360", "customer_segments", "contact_strategy",
    "contact_plan", "contact_pressure", "segment_evaluation_monthly",
)


class PublishError(RuntimeError):
    pass


def _tables(conn, schema: str) -> list[str]:  # noqa: ANN001
    rows = conn.execute(
        "select table_name from information_schema.tables where table_schema = %s order by 1", (schema,)
    ).fetchall()
    return [r[0] for r in rows]


def ensure_reader_role(conn) -> None:  # noqa: ANN001
    conn.execute(
        sql.SQL(
            "do $$ begin if not exists (select 1 from pg_roles where rolname = {name}) then "
            "create role {role} nologin; end if; end $$"
        ).format(name=sql.Literal(READER_ROLE), role=sql.Identifier(READER_ROLE))
    )


def publish_marts(url: str) -> dict[str, int]:
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
        ensure_reader_role(conn)
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(PUBLISHED_SCHEMA)))
        conn.execute(
            sql.SQL("alter schema {} rename to {}").format(
                sql.Identifier(BUILD_SCHEMA), sql.Identifier(PUBLISHED_SCHEMA)
            )
        )
        role = sql.Identifier(READER_ROLE)
        schema = sql.Identifier(PUBLISHED_SCHEMA)
        conn.execute(sql.SQL("grant usage on schema {} to {}").format(schema, role))
        conn.execute(sql.SQL("grant select on all tables in schema {} to {}").format(schema, role))
        conn.commit()
    log.info("published %d tables, %d rows to schema %s", len(counts), sum(counts.values()), PUBLISHED_SCHEMA)
    return counts


def mart_counts(url: str) -> dict[str, int]:
    """Row counts of the published marts (empty when nothing was published yet)."""
    with connect(url) as conn:
        return {
            t: conn.execute(
                sql.SQL("select count(*) from {}.{}").format(sql.Identifier(PUBLISHED_SCHEMA), sql.Identifier(t))
            ).fetchone()[0]
            for t in _tables(conn, PUBLISHED_SCHEMA)
        }
