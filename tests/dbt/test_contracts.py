"""The published contract written once: every published mart has an enforced dbt contract (each column typed
and described in models/marts/_marts__models.yml), the README's table of published marts lists exactly those
marts, and publish refuses a build that lacks one of its CONTRACT_TABLES. No warehouse needed."""

from __future__ import annotations

import re

import pytest
import yaml

from cvm.publish import CONTRACT_TABLES
from cvm.settings import PROJECT_ROOT

MARTS = PROJECT_ROOT / "dbt_project" / "models" / "marts"


def _config(sql: str, key: str) -> str | None:
    match = re.search(rf"config\([^)]*\b{key}\s*=\s*'([^']+)'", sql)
    return match.group(1) if match else None


def _published_models() -> dict[str, str]:
    """dbt model name -> published table name, for every marts model that is not ephemeral."""
    models = {}
    for path in sorted(MARTS.glob("*.sql")):
        sql = path.read_text()
        if _config(sql, "materialized") != "ephemeral":
            models[path.stem] = _config(sql, "alias") or path.stem
    return models


@pytest.fixture(scope="module")
def documented() -> dict[str, dict]:
    spec = yaml.safe_load((MARTS / "_marts__models.yml").read_text())
    return {model["name"]: model for model in spec["models"]}


def test_every_published_mart_has_an_enforced_contract(documented):
    published = _published_models()
    assert set(documented) == set(published)
    for name, model in documented.items():
        assert model.get("config", {}).get("contract", {}).get("enforced") is True, name
        assert model.get("description"), name
        for column in model["columns"]:
            assert column.get("data_type"), f"{name}.{column['name']} has no data_type"
            assert column.get("description"), f"{name}.{column['name']} has no description"


def test_readme_and_publish_name_the_contracted_marts():
    published = set(_published_models().values())
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("### Published marts (`marts`)", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE)
    assert len(rows) == len(set(rows)), "a mart is listed twice in the README"
    assert set(rows) == published
    assert set(CONTRACT_TABLES) <= published
