"""`cvm export-plan`: the published contact plan as the files the tools take (seed 002 step 6: fill and
follow the calendar).

- `call_lists/<employee>.csv`  calls per account manager (or `unassigned`), with phone and due time;
- `mailing_list.csv`            printed mailings with the postal address;
- `email_audience.csv`          e-mails, newsletters and survey invitations with the e-mail address;
- `calendars/<employee>.ics`    an iCalendar file per account manager with their visits, meetings and calls.

Only moments with status 'planned' are exported: the control group's withheld moments stay out (their
service contacts, such as a complaint follow-up, are planned and do go out), and every channel is checked
once more against the customer's consent (seeds/channel_costs.csv) at export time, so a consent withdrawn
since the run is not the exporter's problem to miss. Reading is at the edge (`read_plan`); the rest are pure
functions over the rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
from icalendar import Calendar, Event
from psycopg.rows import dict_row

CALL_CHANNELS = ("call", "phone")
CALENDAR_CHANNELS = ("visit", "meeting", "call", "phone")
MAIL_CHANNELS = ("mailing",)
EMAIL_CHANNELS = ("email", "newsletter", "survey", "social")
UNASSIGNED = "unassigned"

CALL_COLUMNS = (
    "planned_date",
    "due_within_hours",
    "customer_id",
    "display_name",
    "phone",
    "reason",
    "trigger_detail",
    "segment",
    "goal",
    "contact_plan_id",
)
MAIL_COLUMNS = (
    "planned_date",
    "customer_id",
    "display_name",
    "street",
    "house_number",
    "house_number_addition",
    "postcode",
    "city",
    "country",
    "reason",
    "segment",
    "goal",
    "contact_plan_id",
)
EMAIL_COLUMNS = (
    "planned_date",
    "customer_id",
    "display_name",
    "email",
    "channel",
    "reason",
    "segment",
    "goal",
    "contact_plan_id",
)

PLAN_QUERY = """
select p.contact_plan_id, p.customer_id, p.planned_date, p.channel, p.reason, p.trigger_detail,
       p.due_within_hours, p.segment, p.goal, p.control_group,
       d.display_name, d.email, d.phone, d.street, d.house_number, d.house_number_addition, d.postcode,
       d.city, d.country, d.account_manager, d.email_opt_in, d.phone_opt_in, c.consent
from marts.contact_plan p
join marts.dim_customer d on d.customer_id = p.customer_id
left join config.channel_costs c on c.channel = p.channel and c.direction = 'outbound'
where p.status = 'planned' and p.planned_date between %(start)s and %(end)s
order by p.planned_date, p.customer_id, p.contact_plan_id
"""


@dataclass(frozen=True)
class ExportSummary:
    moments: int
    refused_no_consent: int
    files: dict[str, int]  # relative path -> rows (events for .ics)


def read_plan(url: str, start: date, end: date) -> list[dict[str, Any]]:
    """Planned moments in [start, end] with the customer's contact details and the channel's consent rule."""
    with psycopg.connect(url, row_factory=dict_row) as conn:
        try:
            return conn.execute(PLAN_QUERY, {"start": start, "end": end}).fetchall()
        except psycopg.errors.UndefinedTable as exc:
            raise RuntimeError(
                "no published contact plan in this warehouse (marts.contact_plan): run `cvm run` first"
            ) from exc


def consented(row: dict[str, Any]) -> bool:
    """The consent rule of seeds/channel_costs.csv (as the dbt macro consent_allows): unknown is no."""
    rule = row.get("consent")
    if rule == "email":
        return bool(row.get("email_opt_in")) and bool(row.get("email"))
    if rule == "phone":
        return bool(row.get("phone_opt_in")) and bool(row.get("phone"))
    if rule == "address":
        return bool(row.get("postcode") or row.get("street"))
    return rule == "none"


def employee_key(name: str | None) -> str:
    """A file-name-safe key for an employee ('Anna de Vries' -> 'anna-de-vries')."""
    slug = re.sub(r"[^a-z0-9]+", "-", (name or "").strip().lower()).strip("-")
    return slug or UNASSIGNED


def _write_csv(path: Path, columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
            n += 1
    return n


def _address(row: dict[str, Any]) -> str:
    street = " ".join(str(row[k]) for k in ("street", "house_number", "house_number_addition") if row.get(k))
    town = " ".join(str(row[k]) for k in ("postcode", "city") if row.get(k))
    return ", ".join(part for part in (street, town) if part)


def calendar(employee: str, rows: Iterable[dict[str, Any]], stamp: datetime) -> Calendar:
    """An iCalendar with one all-day event per visit, meeting or call of one employee."""
    cal = Calendar()
    cal.add("prodid", "-//customer-value-warehouse//cvm export-plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Contact plan {employee}")
    for row in rows:
        event = Event()
        event.add("uid", f"{row['contact_plan_id']}@cvm")
        event.add("dtstamp", stamp)
        event.add("dtstart", row["planned_date"])
        event.add("summary", f"{row['channel'].capitalize()}: {row['display_name']} ({row['reason']})")
        lines = [
            f"Customer {row['customer_id']}, segment {row['segment']}, goal {row['goal']}",
            f"Reason: {row['reason']}" + (f" ({row['trigger_detail']})" if row.get("trigger_detail") else ""),
        ]
        if row.get("due_within_hours") is not None:
            lines.append(f"Due within {row['due_within_hours']} hours of the complaint")
        if row.get("phone"):
            lines.append(f"Phone: {row['phone']}")
        event.add("description", "\n".join(lines))
        if row["channel"] in ("visit", "meeting") and _address(row):
            event.add("location", _address(row))
        cal.add_component(event)
    return cal


def write_exports(rows: list[dict[str, Any]], out: Path, stamp: datetime | None = None) -> ExportSummary:
    """Write the call lists, mailing list, e-mail audience and calendars of `rows` into `out`."""
    stamp = stamp or datetime.now(UTC)
    allowed = [r for r in rows if consented(r)]
    files: dict[str, int] = {}

    by_employee: dict[str, list[dict[str, Any]]] = {}
    for row in allowed:
        by_employee.setdefault(employee_key(row.get("account_manager")), []).append(row)
    for employee, own in sorted(by_employee.items()):
        calls = [r for r in own if r["channel"] in CALL_CHANNELS]
        if calls:
            name = f"call_lists/{employee}.csv"
            files[name] = _write_csv(out / name, CALL_COLUMNS, calls)
        agenda = [r for r in own if r["channel"] in CALENDAR_CHANNELS]
        if agenda:
            name = f"calendars/{employee}.ics"
            path = out / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(calendar(employee, agenda, stamp).to_ical())
            files[name] = len(agenda)
    files["mailing_list.csv"] = _write_csv(
        out / "mailing_list.csv", MAIL_COLUMNS, (r for r in allowed if r["channel"] in MAIL_CHANNELS)
    )
    files["email_audience.csv"] = _write_csv(
        out / "email_audience.csv", EMAIL_COLUMNS, (r for r in allowed if r["channel"] in EMAIL_CHANNELS)
    )
    return ExportSummary(moments=len(allowed), refused_no_consent=len(rows) - len(allowed), files=files)


def export_plan(url: str, start: date, end: date, out: Path) -> ExportSummary:
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    return write_exports(read_plan(url, start, end), out)
