from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def manifest(tmp_path_factory) -> Path:
    """A dbt manifest of the project, as `python -m cvm.dbt_tasks` writes it (dbt parse, no connection)."""
    from cvm.dbt_tasks import write_manifest

    return write_manifest(tmp_path_factory.mktemp("dbt") / "manifest.json")
