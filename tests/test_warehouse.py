"""The warehouse edge: URLs, database creation, layer schemas and the connection safety net."""

from __future__ import annotations

import psycopg

from cvm.settings import load_settings
from cvm.warehouse import LAYER_SCHEMAS, connection_params, database_of, redact, with_database


def test_socket_and_tcp_urls_give_dbt_fields() -> None:
    socket = connection_params("postgresql://postgres:@/cvm?host=/srv/pg")
    assert socket == {"host": "/srv/pg", "port": 5432, "user": "postgres", "password": "", "dbname": "cvm"}
    tcp = connection_params("postgresql://etl:s%40cret@db.internal:6543/dwh")
    assert tcp == {"host": "db.internal", "port": 6543, "user": "etl", "password": "s@cret", "dbname": "dwh"}
    assert with_database("postgresql://u:p@h:5432/postgres?sslmode=require", "cvm") == (
        "postgresql://u:p@h:5432/cvm?sslmode=require"
    )
    assert database_of("postgresql://u@h/") == "postgres"
    assert redact("postgresql://etl:secret@db:5432/dwh") == "postgresql://etl:***@db:5432/dwh"


def test_settings_build_a_url_from_pg_variables() -> None:
    s = load_settings({"PGHOST": "db.internal", "PGUSER": "etl", "PGPASSWORD": "x y", "PGDATABASE": "dwh"})
    assert s.database_url == "postgresql://etl:x%20y@db.internal:5432/dwh"
    assert not s.embedded
    assert load_settings({"CVM_DATABASE_URL": "postgresql://a@b/c", "PGHOST": "ignored"}).database_url == (
        "postgresql://a@b/c"
    )
    assert load_settings({}).embedded


def test_layer_schemas_and_the_disconnect_check(warehouse_url: str) -> None:
    with psycopg.connect(warehouse_url) as conn:
        schemas = {r[0] for r in conn.execute("select schema_name from information_schema.schemata")}
        assert set(LAYER_SCHEMAS) <= schemas
        # set by ensure_schemas for every new session on the warehouse database
        assert conn.execute("show client_connection_check_interval").fetchone()[0] == "5s"
