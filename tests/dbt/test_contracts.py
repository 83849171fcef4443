"""The published contract written once: every published mart has an enforced dbt contract (each column typed
and described in models/marts/_marts__models.yml), publish requires exactly those marts (CONTRACT_TABLES is
read from that file) and the README's table of published marts lists exactly those. No warehouse needed."""

from __future__ import annotations

import re

import pytest
import yaml

from cvm.publish import CONTRACT_TABLES, contract_tables
from cvm.settings import PROJECT_ROOT

MARTS = PROJECT_ROOT / "dbt_project" / "models" / "marts"


def _config(sql: str, key: str) -> str | None:
    match = re.search(rf"config\([^)]*\b{key}\s*=\s*'([^']+)'", sql)
    return match.group(1) if match else None


def _published_models() -> dict[str, str]:
    """dbt model name -> published table name (its alias in the yml), for every marts model that is not
    ephemeral."""
    spec = yaml.safe_load((MARTS / "_marts__models.yml").read_text())
    aliases = {m["name"]: (m.get("config") or {}).get("alias") for m in spec["models"]}
    models = {}
    for path in sorted(MARTS.glob("*.sql")):
        if _config(path.read_text(), "materialized") != "ephemeral":
            models[path.stem] = aliases.get(path.stem) or path.stem
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
    assert len(CONTRACT_TABLES) == len(published) and set(CONTRACT_TABLES) == published  # publish requires all


def test_contract_tables_are_the_enforced_models_by_published_name(tmp_path):
    (tmp_path / "_marts__models.yml").write_text(
        yaml.safe_dump(
            {
                "models": [
                    {"name": "plain", "config": {"contract": {"enforced": True}}},
                    {"name": "mart_renamed", "config": {"alias": "renamed", "contract": {"enforced": True}}},
                    {"name": "uncontracted"},
                ]
            }
        )
    )
    assert contract_tables(tmp_path) == ("plain", "renamed")


def test_published_names_are_set_in_the_yml_only():
    """The publish reads a mart's published name from `_marts__models.yml`; an alias set in a model's SQL
    config would publish under a name the publish does not require."""
    in_sql = [p.name for p in MARTS.glob("*.sql") if re.search(r"\balias\s*=", p.read_text(encoding="utf-8"))]
    assert in_sql == []
    assert "contact_strategy" in CONTRACT_TABLES and "mart_contact_strategy" not in CONTRACT_TABLES
