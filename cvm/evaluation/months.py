"""Month arithmetic of the evaluation: months are identified by their first day."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> date:
    """'2026-09' -> date(2026, 9, 1); a clear error for anything else."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def month_to_evaluate(run_day: date) -> date:
    """The month just closed on a run day: a run on 3 November evaluates October."""
    return add_months(run_day.replace(day=1), -1)
