"""cvm export-plan on hand-written plan rows: files per tool, consent checked again, calendars parse."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from icalendar import Calendar

from cvm.strategy.export import CALL_COLUMNS, EMAIL_COLUMNS, MAIL_COLUMNS, employee_key, write_exports

BASE = dict(
    segment="star",
    goal="retain",
    trigger_detail=None,
    due_within_hours=None,
    control_group=False,
    street="Dorpsstraat",
    house_number="12",
    house_number_addition="a",
    postcode="1234AB",
    city="haarlem",
    country="NL",
    email_opt_in=True,
    phone_opt_in=True,
    email="jan@bakkerij.nl",
    phone="+31612345678",
)


def _row(plan_id: str, channel: str, consent: str, **extra) -> dict:
    return {
        **BASE,
        "contact_plan_id": plan_id,
        "customer_id": plan_id.split(":")[0],
        "display_name": "Bakkerij De Jong",
        "planned_date": date(2026, 7, 14),
        "channel": channel,
        "reason": "cadence",
        "consent": consent,
        "account_manager": "Anna de Vries",
        **extra,
    }


def _csv(path: Path) -> tuple[tuple[str, ...], list[dict]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return tuple(reader.fieldnames), list(reader)


def test_exports_per_tool(tmp_path: Path) -> None:
    rows = [
        _row("C-1:1", "visit", "address"),
        _row("C-1:2", "call", "phone", reason="complaint_follow_up", due_within_hours=1, trigger_detail="complaint T9"),
        _row("C-1:3", "email", "email"),
        _row("C-2:1", "mailing", "address", account_manager=None, display_name='Piet, "de" Vries'),
        _row("C-3:1", "call", "phone", phone_opt_in=False),  # consent withdrawn: left out
        _row("C-4:1", "email", "email", email=None),  # no address to send to: left out
        _row("C-5:1", "call", "phone", account_manager=None),
    ]
    summary = write_exports(rows, tmp_path, stamp=datetime(2026, 7, 1, tzinfo=UTC))
    assert (summary.moments, summary.refused_no_consent) == (5, 2)
    assert summary.files == {
        "call_lists/anna-de-vries.csv": 1,
        "calendars/anna-de-vries.ics": 2,
        "call_lists/unassigned.csv": 1,
        "calendars/unassigned.ics": 1,
        "mailing_list.csv": 1,
        "email_audience.csv": 1,
    }

    columns, calls = _csv(tmp_path / "call_lists" / "anna-de-vries.csv")
    assert columns == CALL_COLUMNS
    assert [(c["contact_plan_id"], c["phone"], c["due_within_hours"]) for c in calls] == [
        ("C-1:2", "+31612345678", "1")
    ]
    columns, mail = _csv(tmp_path / "mailing_list.csv")
    assert columns == MAIL_COLUMNS
    assert mail[0]["display_name"] == 'Piet, "de" Vries' and mail[0]["postcode"] == "1234AB"
    columns, audience = _csv(tmp_path / "email_audience.csv")
    assert columns == EMAIL_COLUMNS and [a["email"] for a in audience] == ["jan@bakkerij.nl"]

    cal = Calendar.from_ical((tmp_path / "calendars" / "anna-de-vries.ics").read_bytes())
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"C-1:1@cvm", "C-1:2@cvm"}
    visit = events["C-1:1@cvm"]
    assert visit.decoded("DTSTART") == date(2026, 7, 14)
    assert str(visit["LOCATION"]) == "Dorpsstraat 12 a, 1234AB haarlem"
    assert "Due within 1 hours" in str(events["C-1:2@cvm"]["DESCRIPTION"])


def test_employee_key() -> None:
    assert employee_key("Anna de Vries") == "anna-de-vries"
    assert employee_key("  ") == employee_key(None) == "unassigned"
    assert employee_key("../../etc") == "etc"


def test_export_before_any_publish_says_so(warehouse_url, tmp_path: Path) -> None:
    import pytest

    from cvm.strategy.export import export_plan

    with pytest.raises(RuntimeError, match=r"no published contact plan .* run `cvm run` first"):
        export_plan(warehouse_url, date(2026, 7, 1), date(2026, 7, 31), tmp_path)
    with pytest.raises(ValueError, match="before --from"):
        export_plan(warehouse_url, date(2026, 7, 31), date(2026, 7, 1), tmp_path)
