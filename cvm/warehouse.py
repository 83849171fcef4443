"""The warehouse connection: an external PostgreSQL (`CVM_DATABASE_URL`) or an embedded one.

The embedded server is the `pgserver` wheel's PostgreSQL 16, started on a unix socket under
`<home>/pgdata` and left running between commands (`cvm db stop` stops it), so a second run reuses it.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from cvm.settings import Settings

log = logging.getLogger(__name__)

# One schema per layer of the data flow (DESIGN.md); `marts` is only ever written by the publish step,
# `ops` holds the run log that `cvm status` reads.
LAYER_SCHEMAS: tuple[str, ...] = ("raw", "staging", "intermediate", "ml", "marts", "ops")


class WarehouseError(RuntimeError):
    """A warehouse problem that the CLI reports as one clear line."""


def _pgserver():  # noqa: ANN202 - pgserver has no type hints
    """Import pgserver quietly: platformdirs warns about a missing XDG_RUNTIME_DIR on headless machines."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        os.environ.setdefault("XDG_RUNTIME_DIR", str(Path("/tmp") / f"cvm-runtime-{os.getuid()}"))
        Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
        import pgserver
        import pgserver._commands

    return pgserver


def pg_bin_dir() -> Path:
    """The embedded PostgreSQL's binaries (psql, pg_dump, ...)."""
    return Path(_pgserver()._commands.POSTGRES_BIN_PATH)


def _embedded_server(pgdata: Path):  # noqa: ANN202 - pgserver has no type hints
    pgserver = _pgserver()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    try:
        return pgserver.get_server(pgdata, cleanup_mode=None)
    except Exception as exc:  # pgserver raises bare subprocess errors; name the data directory
        log_file = pgdata / "log"
        tail = log_file.read_text(errors="replace")[-800:] if log_file.exists() else ""
        raise WarehouseError(f"could not start the embedded PostgreSQL in {pgdata}: {exc}\n{tail}") from exc


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database (keeps host, socket and credentials)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(database)))


def database_of(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/")) or "postgres"


def ensure_database(url: str) -> str:
    """Create the URL's database when it does not exist yet (connecting through `postgres`)."""
    name = database_of(url)
    try:
        with psycopg.connect(with_database(url, "postgres"), autocommit=True, connect_timeout=10) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
                log.info("created database %s", name)
    except psycopg.OperationalError as exc:
        raise WarehouseError(f"cannot reach PostgreSQL at {redact(url)}: {str(exc).strip()}") from exc
    return url


def server_url(settings: Settings) -> str:
    """URL of the server's `postgres` database: the external one, or the embedded one (started if needed)."""
    if settings.database_url:
        return with_database(settings.database_url, "postgres")
    server = _embedded_server(settings.pgdata)
    return server.get_uri()


def warehouse_url(settings: Settings) -> str:
    """URL of the warehouse database, created on first use. Starts the embedded server if needed."""
    if settings.database_url:
        url = settings.database_url
        if database_of(url) == "postgres" or not urlsplit(url).path.strip("/"):
            url = with_database(url, settings.database_name)
    else:
        url = with_database(server_url(settings), settings.database_name)
    return ensure_database(url)


def stop_embedded(settings: Settings) -> bool:
    """Stop the embedded server if it runs; True when one was stopped."""
    pid_file = settings.pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    pg_ctl = _pgserver()._commands.pg_ctl
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=settings.pgdata, user=user)
    return True


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def connection_params(url: str) -> dict[str, object]:
    """host/port/user/password/dbname of a URL, for tools that want fields (dbt profiles, GX)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or ""])[0] or "localhost"
    port = int(query.get("port", [parts.port or 5432])[0])
    return {
        "host": unquote(host),
        "port": port,
        "user": unquote(parts.username or query.get("user", ["postgres"])[0]),
        "password": unquote(parts.password or ""),
        "dbname": database_of(url),
    }


@contextmanager
def connect(url: str, *, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    try:
        conn = psycopg.connect(url, autocommit=autocommit, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise WarehouseError(f"cannot reach PostgreSQL at {redact(url)}: {str(exc).strip()}") from exc
    with conn:
        yield conn


def ensure_schemas(url: str) -> None:
    with connect(url, autocommit=True) as conn:
        for schema in LAYER_SCHEMAS:
            conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        # A killed pipeline process must not leave its statement running (holding locks that block the
        # re-run for minutes): PostgreSQL 14+ then checks every few seconds that the client is still there.
        try:
            conn.execute(
                sql.SQL("alter database {} set client_connection_check_interval = '5s'").format(
                    sql.Identifier(database_of(url))
                )
            )
        except psycopg.Error as exc:  # not the owner, or an older server: a safety net, not a requirement
            log.info("could not set client_connection_check_interval on %s: %s", database_of(url), exc)
