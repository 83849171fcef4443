"""The Metabase dashboards as code: the definition is valid, every card reads only published marts, and each
dashboard is documented as a dbt exposure on exactly the marts its cards read. (The Celery test runs every
card's SQL on freshly published marts as the read-only role cvm_reader.)"""

from __future__ import annotations

import importlib.util
import json
import re

import pytest
import yaml

from cvm.publish import CONTRACT_TABLES
from cvm.settings import PROJECT_ROOT


def load_bi_module():  # noqa: ANN201
    spec = importlib.util.spec_from_file_location("metabase_load", PROJECT_ROOT / "bi" / "metabase_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dashboard_cards() -> list[tuple[str, dict]]:
    spec = load_bi_module().load_definition()
    return [(board["name"], card) for board in spec["dashboards"] for card in board["cards"]]


def marts_read(sql: str) -> set[str]:
    return set(re.findall(r"\bmarts\.([a-z_0-9]+)", sql))


def test_the_headline_dashboards_are_defined() -> None:
    spec = load_bi_module().load_definition()
    names = {board["name"] for board in spec["dashboards"]}
    assert names == {"CVM - segments and value", "CVM - contact pressure", "CVM - monthly evaluation"}
    for _, card in dashboard_cards():
        pos = card["position"]
        assert pos["col"] + pos["size_x"] <= 24, card["name"]  # Metabase's grid is 24 columns wide
        assert marts_read(card["sql"]) and marts_read(card["sql"]) <= set(CONTRACT_TABLES), card["name"]
        assert not re.search(r"\b(raw|staging|intermediate|ml|ops|marts_next)\.", card["sql"]), card["name"]


def test_a_bad_definition_names_the_card(tmp_path) -> None:
    bad = tmp_path / "dashboards.yml"
    bad.write_text(
        yaml.safe_dump(
            {
                "database": {"name": "x"},
                "dashboards": [{"name": "D", "cards": [{"name": "C", "display": "bar", "sql": "select 1"}]}],
            }
        )
    )
    with pytest.raises(ValueError, match=r"dashboard 'D', card 'C': missing position"):
        load_bi_module().load_definition(bad)


def test_every_dashboard_is_a_dbt_exposure_on_the_marts_it_reads() -> None:
    exposures = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "models" / "exposures.yml").read_text())["exposures"]
    by_label = {e["label"]: e for e in exposures}
    spec = load_bi_module().load_definition()
    for board in spec["dashboards"]:
        exposure = by_label[board["name"]]
        assert exposure["type"] == "dashboard"
        refs = {re.fullmatch(r"ref\('([a-z_0-9]+)'\)", d).group(1) for d in exposure["depends_on"]}
        read = set().union(*(marts_read(c["sql"]) for c in board["cards"]))
        assert refs == read, board["name"]


def test_the_manifest_carries_the_exposures(manifest) -> None:
    exposures = {e["name"]: e for e in json.loads(manifest.read_text())["exposures"].values()}
    assert set(exposures) == {"metabase_segments_and_value", "metabase_contact_pressure", "metabase_monthly_evaluation"}
    assert "model.cvm.segment_evaluation_monthly" in exposures["metabase_monthly_evaluation"]["depends_on"]["nodes"]
