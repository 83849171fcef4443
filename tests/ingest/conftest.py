from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest


@pytest.fixture
def fresh_raw(conn: psycopg.Connection) -> psycopg.Connection:
    """An empty raw layer: every test starts without earlier loads (the audit decides what is new)."""
    conn.execute("drop schema if exists raw cascade")
    return conn


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


@pytest.fixture
def deliver(landing: Path) -> Callable[[str, bytes | str], Path]:
    """Write a delivery file under the landing zone (`str` content is written as UTF-8)."""

    def write(relative: str, content: bytes | str) -> Path:
        path = landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return write
