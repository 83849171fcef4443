"""Atomic publish: marts_next replaces marts in one transaction, grants follow, a short build is refused."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from cvm.publish import CONTRACT_TABLES, PublishError, publish_marts


def _build(conn: psycopg.Connection, tables: tuple[str, ...], rows: int) -> None:
    conn.execute("drop schema if exists marts_next cascade")
    conn.execute("create schema marts_next")
    for t in tables:
        conn.execute(
            sql.SQL("create table marts_next.{} as select generate_series(1, %s) as n").format(sql.Identifier(t)),
            (rows,),
        )


def _marts(conn: psycopg.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        )
    ]
    return {
        t: conn.execute(sql.SQL("select count(*) from marts.{}").format(sql.Identifier(t))).fetchone()[0] for t in names
    }


def test_publish_swaps_the_build_in_and_grants_the_reader(conn, warehouse_url) -> None:
    _build(conn, CONTRACT_TABLES, 2)
    assert publish_marts(warehouse_url) == dict.fromkeys(CONTRACT_TABLES, 2)
    _build(conn, CONTRACT_TABLES, 3)  # the next run
    publish_marts(warehouse_url)
    assert _marts(conn) == dict.fromkeys(CONTRACT_TABLES, 3)
    assert conn.execute("select count(*) from pg_namespace where nspname = 'marts_next'").fetchone()[0] == 0
    assert conn.execute(
        "select has_table_privilege('cvm_reader', 'marts.customer_360', 'select'),"
        " has_table_privilege('cvm_reader', 'marts.customer_360', 'insert')"
    ).fetchone() == (True, False)


def test_a_build_missing_a_contract_table_publishes_nothing(conn, warehouse_url) -> None:
    _build(conn, CONTRACT_TABLES, 5)
    publish_marts(warehouse_url)
    _build(conn, CONTRACT_TABLES[1:], 9)
    with pytest.raises(PublishError, match=CONTRACT_TABLES[0]):
        publish_marts(warehouse_url)
    assert _marts(conn) == dict.fromkeys(CONTRACT_TABLES, 5)  # the previous marts are untouched


def test_a_login_without_createrole_still_publishes(conn, warehouse_url) -> None:
    login = f"cvm_etl_{uuid.uuid4().hex[:8]}"
    absent_role = f"cvm_reader_{uuid.uuid4().hex[:8]}"
    database = urlsplit(warehouse_url).path.lstrip("/")
    conn.execute(sql.SQL("create role {} login nocreaterole").format(sql.Identifier(login)))
    try:
        conn.execute(
            sql.SQL("grant create on database {} to {}").format(sql.Identifier(database), sql.Identifier(login))
        )
        conn.execute("drop schema if exists marts cascade")  # the login owns what it publishes
        conn.execute("drop schema if exists marts_next cascade")
        parts = urlsplit(warehouse_url)
        host = parts.netloc.split("@", 1)[1] if "@" in parts.netloc else parts.netloc
        as_login = urlunsplit(parts._replace(netloc=f"{login}@{host}"))
        with psycopg.connect(as_login, autocommit=True) as etl:
            _build(etl, CONTRACT_TABLES, 1)
        assert publish_marts(as_login, reader_role=absent_role) == dict.fromkeys(CONTRACT_TABLES, 1)
        assert _marts(conn) == dict.fromkeys(CONTRACT_TABLES, 1)
        assert conn.execute("select count(*) from pg_roles where rolname = %s", (absent_role,)).fetchone()[0] == 0
    finally:
        conn.execute("drop schema if exists marts cascade")
        conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(login)))
        conn.execute(sql.SQL("drop role {}").format(sql.Identifier(login)))
