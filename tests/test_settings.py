"""Settings read from the project: the warehouse's own time zone and date."""

from __future__ import annotations


def test_today_is_the_warehouse_local_date_not_the_machines(monkeypatch):
    """At 23:30 UTC on 4 December it is 5 December in Amsterdam, where the warehouse reads load times: a run
    that names no as-of date must take the 5th, or it would not see the deliveries it has just loaded."""
    from datetime import UTC, date, datetime

    import cvm.settings as s

    assert s.warehouse_timezone().key == "Europe/Amsterdam"  # dbt var cvm_timezone

    class Late(datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206
            return datetime(2026, 12, 4, 23, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(s, "datetime", Late)
    assert s.local_today() == date(2026, 12, 5)
