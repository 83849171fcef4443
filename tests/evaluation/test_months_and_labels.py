"""Month arithmetic, report labels and number formats: pure functions, no warehouse."""

from __future__ import annotations

from datetime import date

import pytest

from cvm.evaluation import add_months, month_end, month_to_evaluate, parse_month
from cvm.report.labels import LABELS, labels, number, percent
from cvm.settings import load_settings


def test_parse_month() -> None:
    assert parse_month("2026-09") == date(2026, 9, 1)
    assert parse_month(" 2026-12 ") == date(2026, 12, 1)
    for bad in ("2026-13", "2026-9", "sept 2026", "2026-09-01", ""):
        with pytest.raises(ValueError, match="not a month"):
            parse_month(bad)


def test_month_arithmetic() -> None:
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert add_months(date(2026, 11, 1), 14) == date(2028, 1, 1)
    assert month_end(date(2028, 2, 1)) == date(2028, 2, 29)
    assert month_end(date(2026, 12, 1)) == date(2026, 12, 31)
    # the DAG runs on the 3rd and evaluates the month just closed
    assert month_to_evaluate(date(2026, 11, 3)) == date(2026, 10, 1)
    assert month_to_evaluate(date(2027, 1, 3)) == date(2026, 12, 1)


def test_both_languages_have_every_label() -> None:
    assert set(LABELS["en"]) == set(LABELS["nl"])
    assert labels("nl")["missed"] == "gemist"
    with pytest.raises(ValueError, match="en, nl"):
        labels("de")


def test_number_formats() -> None:
    assert number(1234567.891, "en") == "1,234,568"
    assert number(1234567.891, "nl") == "1.234.568"
    assert number(-1234.5, "nl", 1) == "-1.234,5"
    assert percent(0.9091, "en") == "90.9%"
    assert percent(0.9091, "nl") == "90,9%"
    assert number(None, "en") == "–"


def test_report_language_setting() -> None:
    assert load_settings({"CVM_REPORT_LANGUAGE": "nl"}).report_language == "nl"
    assert load_settings({}).report_language == "en"
    with pytest.raises(ValueError, match="CVM_REPORT_LANGUAGE"):
        load_settings({"CVM_REPORT_LANGUAGE": "fr"})


def test_chart_scales() -> None:
    from cvm.report.svg import nice_ticks, ordered, short, symlog, symlog_ticks

    assert nice_ticks(-12000, 115000, 4) == [-50000, 0, 50000, 100000, 150000]  # the top tick covers the maximum
    assert nice_ticks(0, 214, 4) == [0, 100, 200, 300]
    assert symlog(0) == 0 and symlog(-999) == -3 and symlog(99) == 2
    assert symlog_ticks(-150, 20000) == [-100, -10, 0, 10, 100, 1000, 10000]
    assert [short(v) for v in (950, 1500, 2_000_000, -12000)] == ["950", "1.5k", "2M", "-12k"]
    assert ordered(["lost", "(new)", "star", "dog"]) == ["star", "dog", "lost", "(new)"]
