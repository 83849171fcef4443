"""One typed settings object, read once from the environment (`CVM_*` variables).

Nothing else in the project calls `os.getenv` for project settings: code receives a `Settings`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from cvm.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@cache
def warehouse_timezone() -> ZoneInfo:
    """The time zone the warehouse reads load times and timestamps in (dbt var `cvm_timezone`)."""
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "dbt_project.yml").read_text())
    return ZoneInfo(project["vars"]["cvm_timezone"])


def local_today() -> date:
    """Today in the warehouse's time zone: the as-of date of a run that names none. The machine's own date
    (UTC on most servers) is still yesterday there for an hour or two before midnight UTC, and such a run
    would not see the deliveries it has just loaded."""
    return datetime.now(warehouse_timezone()).date()


def _path(value: str | None, default: Path) -> Path:
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    """Where things live and which warehouse to use.

    database_url: `CVM_DATABASE_URL`; when empty and PGHOST is set, a URL is built from the PG* variables;
    when both are empty the project starts its own embedded PostgreSQL under `home/pgdata`.
    """

    home: Path = PROJECT_ROOT / ".cvm"
    database_url: str | None = None
    database_name: str = "cvm"
    landing: Path = PROJECT_ROOT / ".cvm" / "demo" / "landing"
    as_of: date | None = None
    dbt_project_dir: Path = PROJECT_ROOT / "dbt_project"
    expectations_dir: Path = PROJECT_ROOT / "expectations"
    dags_dir: Path = PROJECT_ROOT / "dags"
    log_level: str = "INFO"
    report_language: str = "en"  # labels of the monthly report: en | nl
    keep_runs: int = 3  # published runs whose model rows stay (cvm.retention), besides those evaluation reads

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def dbt_profiles_dir(self) -> Path:
        return self.home / "dbt"

    @property
    def gx_dir(self) -> Path:
        """Great-expectations file context: results and Data Docs (the suites stay in expectations/)."""
        return self.home / "gx"

    @property
    def embedded(self) -> bool:
        return not self.database_url

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)


def _url_from_pg_env(env: os._Environ[str] | dict[str, str]) -> str | None:
    host = env.get("PGHOST")
    if not host:
        return None
    from urllib.parse import quote

    user = quote(env.get("PGUSER", "postgres"))
    password = env.get("PGPASSWORD")
    auth = f"{user}:{quote(password)}@" if password else f"{user}@"
    port = env.get("PGPORT", "5432")
    db = env.get("PGDATABASE", "cvm")
    if host.startswith("/"):
        return f"postgresql://{auth}/{db}?host={quote(host)}&port={port}"
    return f"postgresql://{auth}{host}:{port}/{db}"


def _report_language(value: str) -> str:
    if value not in ("en", "nl"):
        raise ConfigError(f"CVM_REPORT_LANGUAGE must be en or nl, not {value!r}")
    return value


def _keep_runs(value: str) -> int:
    try:
        keep = int(value)
    except ValueError:
        keep = 0
    if keep < 1:
        raise ConfigError(f"CVM_KEEP_RUNS must be a whole number of at least 1, not {value!r}")
    return keep


def load_settings(env: os._Environ[str] | dict[str, str] | None = None) -> Settings:
    """Read the `CVM_*` variables (and PG* as a fallback for the database)."""
    env = os.environ if env is None else env
    home = _path(env.get("CVM_HOME"), PROJECT_ROOT / ".cvm")
    as_of = env.get("CVM_AS_OF")
    return Settings(
        home=home,
        database_url=env.get("CVM_DATABASE_URL") or _url_from_pg_env(env),
        database_name=env.get("CVM_DATABASE_NAME", "cvm"),
        landing=_path(env.get("CVM_LANDING"), home / "demo" / "landing"),
        as_of=date.fromisoformat(as_of) if as_of else None,
        log_level=env.get("CVM_LOG_LEVEL", "INFO"),
        report_language=_report_language(env.get("CVM_REPORT_LANGUAGE", "en")),
        keep_runs=_keep_runs(env.get("CVM_KEEP_RUNS", "3")),
    )
