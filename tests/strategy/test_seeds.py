"""The strategy seeds as shipped are valid; each broken edit a marketer could make is named by file, line
and column (hand-edited copies of the real seeds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cvm.settings import PROJECT_ROOT
from cvm.strategy.seeds import StrategySeedError, check_strategy_seeds, validate_strategy_seeds

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    for path in SEEDS.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_shipped_seeds_are_valid() -> None:
    assert validate_strategy_seeds(SEEDS) == []


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "contact_strategy.csv",
            "star,retain,visit|call|email,6,",
            "star,retain,visit|call|email,zes,",
            "contact_strategy.csv line 2 (segment='star'), column contacts_per_year: must be a whole number, got 'zes'",
        ),
        (
            "contact_strategy.csv",
            "star,retain,visit|call|email",
            "star,retain,visit|fax|email",
            "line 2 (segment='star'), column channels: must be a '|'-separated list of",
        ),
        ("contact_strategy.csv", "1200.00", "1.200,00", "contact_strategy.csv line 2: more values than columns"),
        (
            "contact_strategy.csv",
            "1200.00",
            "1200 euro",
            "column max_contact_cost_per_year: must be a number with a dot",
        ),
        (
            "contact_strategy.csv",
            ',0.10,"High value, high',
            ',0.9,"High value, high',
            "line 2 (segment='star'), column control_group_share: must be from 0 to 0.5, got 0.9",
        ),
        (
            "contact_strategy.csv",
            "dog,part ways",
            "star,part ways",
            "(segment='star'), column segment: duplicate of line 2",
        ),
        ("contact_strategy.csv", "lost,win back", "lots,win back", "column segment: must be one of"),
        (
            "channel_costs.csv",
            "visit,outbound,150.00,address",
            "visit,outbound,150.00,",
            "channel_costs.csv line 2 (channel='visit'), column consent: an outbound channel needs one of",
        ),
        ("channel_costs.csv", "call,outbound,8.00", "call,outbound,-8", "column cost_per_contact: must be at least 0"),
        (
            "contact_triggers.csv",
            "complaint_follow_up,true,all,,0,30,1,false",
            "complaint_follow_up,true,all,,0,30,1,true",
            "(trigger='complaint_follow_up'), column withheld_for_control_group: a service contact is never withheld",
        ),
        (
            "contact_triggers.csv",
            "nps_survey,true,retain|develop,survey,30,90",
            "nps_survey,ja,retain|develop,survey,30,90",
            "line 5 (trigger='nps_survey'), column enabled: must be true or false, got 'ja'",
        ),
        (
            "contact_triggers.csv",
            "reactivation,true,reactivate",
            "reactivation,true,reactiveer",
            "column goals: must be a '|'-separated list of retain",
        ),
        (
            "contact_settings.csv",
            "callback_minutes,30",
            "callback_minutes,half uur",
            "contact_settings.csv line 4 (key='callback_minutes'), column value: must be a whole number",
        ),
        (
            "contact_settings.csv",
            "survey_suppression_categories,complaint|return",
            "survey_suppression_categories,klacht",
            "(key='survey_suppression_categories'), column value: must be a '|'-separated list of question",
        ),
    ],
)
def test_a_broken_edit_is_named_by_file_line_and_column(
    seeds: Path, file: str, old: str, new: str, expected: str
) -> None:
    _edit(seeds / file, old, new)
    errors = validate_strategy_seeds(seeds)
    assert any(expected in e for e in errors), errors
    with pytest.raises(StrategySeedError, match=r"problem\(s\) in the contact-strategy seeds"):
        check_strategy_seeds(seeds)


def test_missing_column_and_founding_dates(seeds: Path) -> None:
    _edit(seeds / "contact_strategy.csv", ",control_group_share,", ",control_share,")
    (seeds / "company_founding_dates.csv").write_text(
        "kvk_number,founded_on,description\n12345678,1998-04-01,ok\n1234,1998-13-01,bad\n"
    )
    errors = validate_strategy_seeds(seeds)
    assert any("contact_strategy.csv line 1: missing column(s) control_group_share" in e for e in errors)
    assert any(
        "company_founding_dates.csv line 3 (kvk_number='1234'), column kvk_number: must be 8 digits" in e
        for e in errors
    )
    assert any("line 3 (kvk_number='1234'), column founded_on: must be a date" in e for e in errors)
    assert not any("line 2" in e and "founding" in e for e in errors)


def test_the_prepare_stage_stops_on_a_broken_seed_before_dbt_runs(tmp_path: Path, base_settings) -> None:
    """The pipeline stage turns a seed problem into a DataError (no retries, one line in the run log)."""
    from cvm.pipeline import DataError, _check_seeds

    shutil.copytree(SEEDS, tmp_path / "seeds")
    _edit(tmp_path / "seeds" / "contact_triggers.csv", "reactivate,call|email,14,", "reactivate,call|email,veertien,")
    with pytest.raises(
        DataError,
        match=r"contact_triggers.csv line 3 \(trigger='post_purchase_check_in'\), "
        r"column delay_days: must be a whole number, got 'veertien'",
    ):
        _check_seeds(base_settings.with_(dbt_project_dir=tmp_path))
    _check_seeds(base_settings)  # the shipped seeds pass
