"""Test fixtures: a real PostgreSQL, never a mock.

The server is the one `CVM_DATABASE_URL` names, else the project's embedded one. Each test module gets
its own fresh database on it (dropped at the end), so tests never touch the demo warehouse, modules do not
see each other's rows and parallel sessions do not collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from cvm.airflow_run import airflow_env
from cvm.settings import PROJECT_ROOT, Settings, load_settings
from cvm.warehouse import ensure_database, ensure_schemas, server_url, stop_embedded, with_database

# Airflow reads its configuration at import: point it at a test home before any test imports it. The
# home (SQLite metadata DB, migrated once) is reused across sessions to keep the suite fast.
TEST_AIRFLOW = load_settings().with_(home=PROJECT_ROOT / ".cvm" / "test")
os.environ.update(airflow_env(TEST_AIRFLOW))


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def airflow_settings() -> Settings:
    """Settings whose Airflow home is the test one configured above (metadata DB migrated once)."""
    from cvm.airflow_run import ensure_metadata_db

    TEST_AIRFLOW.airflow_home.mkdir(parents=True, exist_ok=True)
    ensure_metadata_db(TEST_AIRFLOW)
    return TEST_AIRFLOW


@pytest.fixture(scope="session")
def server(base_settings: Settings) -> Iterator[str]:
    """URL of the test server's `postgres` database. An embedded server that this session had to start is
    stopped again at the end; one that was already running (say, the demo's) is left running."""
    started_here = base_settings.embedded and not (base_settings.pgdata / "postmaster.pid").exists()
    yield server_url(base_settings)
    if started_here:
        stop_embedded(base_settings)


@contextmanager
def fresh_warehouse(server: str) -> Iterator[str]:
    """A new, empty warehouse database with the layer schemas on the test server, dropped afterwards."""
    name = f"cvm_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = ensure_database(with_database(server, name))
    ensure_schemas(url)
    yield url
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def new_warehouse(server: str) -> Callable[[], AbstractContextManager[str]]:
    """For a test that needs a second warehouse: `with new_warehouse() as url: ...`."""
    return lambda: fresh_warehouse(server)


@pytest.fixture(scope="module")
def warehouse_url(server: str) -> Iterator[str]:
    """A fresh, empty warehouse database with the layer schemas, one per test module, so modules never
    see each other's rows (creating one takes a fraction of a second)."""
    with fresh_warehouse(server) as url:
        yield url


@pytest.fixture
def settings(base_settings: Settings, warehouse_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at the test warehouse, with a private home for Airflow, dbt and GX files."""
    home = tmp_path / "cvm_home"
    home.mkdir()
    return base_settings.with_(home=home, database_url=warehouse_url, landing=tmp_path / "landing")


@pytest.fixture
def conn(warehouse_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse_url, autocommit=True) as c:
        yield c
