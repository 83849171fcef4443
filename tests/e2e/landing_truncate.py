"""Truncate a landing zone at a date: the deliveries as they would have looked on that day.

A row whose record did not exist yet (created, sent, occurred, invoiced after the day) is dropped, and so
is a version updated after it; a later fact about an earlier record (a resolution, a survey response, an
unsubscribe) is blanked. Dates are read as the warehouse reads them: ISO or Dutch d-m-yyyy, a timestamp
with an offset converted to Europe/Amsterdam; a value that does not parse is left alone (staging nulls it).
"""

from __future__ import annotations

import csv
import re
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Amsterdam")
# system/entity -> (columns: drop the row when after the day, columns: blank when after the day)
RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "crm/accounts": (("created_at", "updated_at"), ()),
    "crm/contacts": (("created_at", "updated_at"), ()),
    "crm/activities": (("occurred_at",), ()),
    "finance/debtors": (("created_at",), ()),
    "finance/invoices": (("invoice_date",), ("paid_date",)),
    "marketing/subscribers": (("subscribed_at",), ("unsubscribed_at",)),
    "marketing/events": (("occurred_at",), ()),
    "service/requesters": (("created_at",), ()),
    "service/tickets": (("created_at",), ("resolved_at",)),
    "service/surveys": (("sent_at",), ("responded_at", "nps_score")),
}
_DUTCH = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")


def local_day(value: str | None) -> date | None:
    """The local calendar day a delivered date/timestamp names, or None when it does not parse."""
    text = (value or "").strip()
    if m := _DUTCH.match(text):
        try:
            return date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL)
    return moment.date()


def _after(value: str | None, day: date) -> bool:
    parsed = local_day(value)
    return parsed is not None and parsed > day


def truncate_landing(source: Path, target: Path, day: date) -> dict[str, int]:
    """Copy `source` to `target` as it was on `day`; returns rows kept per system/entity."""
    kept: dict[str, int] = {}
    for path in sorted(source.rglob("*")):
        if path.is_dir():
            continue
        rel = path.relative_to(source)
        out = target / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        key = "/".join(rel.parts[:2])
        if path.suffix != ".csv" or key not in RULES:
            shutil.copy2(path, out)
            continue
        drop_if, blank_if = RULES[key]
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            fields = list(reader.fieldnames or [])
            rows = [r for r in reader if not any(_after(r.get(c), day) for c in drop_if)]
        for row in rows:
            if any(_after(row.get(c), day) for c in blank_if if c in row):
                for c in blank_if:
                    if c in row:
                        row[c] = ""
        kept[key] = kept.get(key, 0) + len(rows)
        if rows:
            with out.open("w", newline="", encoding="utf-8") as f:
                writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
    return kept
