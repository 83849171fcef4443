"""Run the dbt project in-process (dbtRunner) against the warehouse a URL points at.

`run_dbt(settings, url, ["build", "--select", "tag:prepare"], vars={...})` writes a profiles.yml for the
URL (an embedded server's socket directory works as the host), runs dbt with its target and log paths
under `settings.home` (never in the repo), and returns a `DbtRunSummary`; a failing model or test raises
`DbtError` with one readable line per failing node.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cvm.settings import Settings
from cvm.warehouse import connection_params

log = logging.getLogger("cvm.dbt")

PROFILE_NAME = "cvm"
TARGET_NAME = "warehouse"
_FAILED = {"error", "fail", "runtime error"}
# `build` and `test` default to "buildable" indirect selection: a test is run only when every model it
# reads is selected or upstream of the selection, so a reconciliation test between facts and marts does
# not run (and fail) in the `tag:customers` stage before the marts exist.
_TEST_COMMANDS = {"build", "test"}


class DbtError(RuntimeError):
    """dbt failed: the message lists the failing nodes (name: first line of the error)."""

    def __init__(self, message: str, summary: DbtRunSummary | None = None) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass(frozen=True)
class DbtNodeResult:
    unique_id: str
    name: str
    resource_type: str
    status: str
    rows: int | None
    seconds: float
    message: str | None
    failures: int | None = None


@dataclass(frozen=True)
class DbtRunSummary:
    command: str
    args: tuple[str, ...]
    success: bool
    elapsed: float
    nodes: tuple[DbtNodeResult, ...] = field(default_factory=tuple)

    def by_name(self) -> dict[str, DbtNodeResult]:
        return {n.name: n for n in self.nodes}

    def failed(self) -> list[DbtNodeResult]:
        return [n for n in self.nodes if n.status in _FAILED]

    def count(self, resource_type: str) -> int:
        return sum(1 for n in self.nodes if n.resource_type == resource_type)


def dbt_paths(settings: Settings) -> dict[str, Path]:
    base = settings.dbt_profiles_dir
    return {"profiles": base, "target": base / "target", "logs": base / "logs"}


def write_profiles(settings: Settings, url: str, *, threads: int = 4) -> Path:
    """profiles.yml for the `cvm` profile (dbt-postgres) from a warehouse URL; returns its path."""
    params = connection_params(url)
    output: dict[str, Any] = {
        "type": "postgres",
        "host": params["host"],  # a path starting with '/' is a unix-socket directory (psycopg2/libpq)
        "port": params["port"],
        "user": params["user"],
        # the secret stays out of the file: dbt reads it from the environment run_dbt sets for it
        "password": "{{ env_var('CVM_DBT_PASSWORD', '') }}",
        "dbname": params["dbname"],
        "schema": "public",  # every model sets its own schema; see macros/generate_schema_name.sql
        "threads": threads,
        "connect_timeout": 10,
    }
    profiles = {PROFILE_NAME: {"target": TARGET_NAME, "outputs": {TARGET_NAME: output}}}
    path = dbt_paths(settings)["profiles"]
    path.mkdir(parents=True, exist_ok=True)
    target = path / "profiles.yml"
    text = yaml.safe_dump(profiles, sort_keys=False)
    if not target.exists() or target.read_text() != text:  # unchanged profile keeps partial parsing warm
        target.write_text(text)
        target.chmod(0o600)
    return target


def _node_result(res: Any) -> DbtNodeResult:
    node = res.node
    adapter_response = getattr(res, "adapter_response", None) or {}
    rows = adapter_response.get("rows_affected") if isinstance(adapter_response, dict) else None
    status = getattr(res.status, "value", res.status)
    return DbtNodeResult(
        unique_id=node.unique_id,
        name=node.name,
        resource_type=str(getattr(node.resource_type, "value", node.resource_type)),
        status=str(status).lower(),
        rows=rows if isinstance(rows, int) and rows >= 0 else None,
        seconds=round(float(getattr(res, "execution_time", 0.0) or 0.0), 3),
        message=res.message if isinstance(res.message, str) else None,
        failures=getattr(res, "failures", None),
    )


def _first_line(text: str | None) -> str:
    for line in (text or "").splitlines():
        line = line.strip()
        if line and not line.lower().startswith(("runtime error in", "database error in", "compilation error in")):
            return line[:300]
    return (text or "").strip()[:300]


def _build_args(settings: Settings, args: Sequence[str], vars: Mapping[str, Any] | None) -> list[str]:
    paths = dbt_paths(settings)
    full = list(args)
    command = full[0] if full else ""
    full += [
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(paths["profiles"]),
        "--target-path",
        str(paths["target"]),
        "--log-path",
        str(paths["logs"]),
        "--partial-parse",
    ]
    if command in _TEST_COMMANDS and "--indirect-selection" not in full:
        full += ["--indirect-selection", "buildable"]
    if vars:
        full += ["--vars", json.dumps(dict(vars), default=str, sort_keys=True)]
    return full


# dbt's own per-node result lines ("12 of 99 OK created sql view model staging.stg_... [CREATE VIEW in 0.1s]"),
# so a long build shows progress; passing tests stay at DEBUG to keep the log readable.
_NODE_EVENTS = {"LogModelResult", "LogSeedResult", "LogSnapshotResult", "LogTestResult"}


def _progress(event: Any) -> None:
    name = event.info.name
    if name not in _NODE_EVENTS:
        return
    message = event.info.msg
    passed = name == "LogTestResult" and " PASS " in f" {message} "
    log.log(logging.DEBUG if passed else logging.INFO, "%s", message)


def run_dbt(
    settings: Settings,
    url: str,
    args: Sequence[str],
    *,
    vars: Mapping[str, Any] | None = None,
    quiet: bool = True,
) -> DbtRunSummary:
    """Run one dbt command in-process; raise DbtError (with the summary attached) when it fails."""
    from dbt.cli.main import dbtRunner

    if not args:
        raise ValueError("run_dbt needs a dbt command, e.g. ['build', '--select', 'tag:prepare']")
    write_profiles(settings, url)
    os.environ["CVM_DBT_PASSWORD"] = str(connection_params(url)["password"] or "")
    full = _build_args(settings, args, vars)
    if quiet:
        full = ["--log-level", "warn", "--log-level-file", "info", "--no-use-colors", *full]
    started = time.perf_counter()
    res = dbtRunner(callbacks=[_progress]).invoke(full)
    elapsed = round(time.perf_counter() - started, 2)

    results = getattr(res.result, "results", None) or []
    nodes = tuple(_node_result(r) for r in results if getattr(r, "node", None) is not None)
    summary = DbtRunSummary(command=args[0], args=tuple(args), success=bool(res.success), elapsed=elapsed, nodes=nodes)
    statuses: dict[str, int] = {}
    for n in nodes:
        statuses[n.status] = statuses.get(n.status, 0) + 1
    log.info(
        "dbt %s: %d nodes (%s) in %.1fs",
        " ".join(args),
        len(nodes),
        ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) or "none",
        elapsed,
    )
    if res.exception is not None:
        raise DbtError(f"dbt {' '.join(args)} failed: {_first_line(str(res.exception))}", summary)
    if not res.success:
        failed = summary.failed()
        lines = [f"dbt {' '.join(args)} failed ({len(failed)} failing node(s)):"]
        for n in failed[:20]:
            lines.append(f"  {n.resource_type} {n.name}: {n.status}: {_first_line(n.message)}")
        if len(failed) > 20:
            lines.append(f"  ... and {len(failed) - 20} more")
        raise DbtError("\n".join(lines), summary)
    return summary
