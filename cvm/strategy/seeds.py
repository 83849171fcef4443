"""Validation of the contact-strategy seeds marketing edits (channel costs, strategy, triggers, settings).

Runs before `dbt seed`: a typo in a CSV must stop the run with a line naming the file, the row and the
column, not with a database cast error halfway through the marts (or, worse, a plan that silently breaks a
rule). Pure functions over the CSV text; `check_strategy_seeds` raises with every problem found.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

SEGMENTS = ("star", "cash_cow", "question_mark", "dog", "sleeper", "lost", "new")
GOALS = ("retain", "develop", "part ways", "reactivate", "win back")
CHANNELS = ("visit", "call", "email", "meeting", "mailing", "newsletter", "social", "web", "phone", "chat", "survey")
CONSENTS = ("email", "phone", "address", "none")
TRIGGERS = (
    "complaint_follow_up",
    "post_purchase_check_in",
    "reactivation",
    "nps_survey",
    "company_anniversary",
    "relationship_anniversary",
)
# service contacts and what a customer asks for are never withheld from the control group
NEVER_WITHHELD = ("complaint_follow_up", "post_purchase_check_in")
TICKET_CATEGORIES = ("question", "complaint", "return", "other")
SETTINGS_KEYS = (
    "control_group_salt",
    "callback_segments",
    "callback_minutes",
    "survey_suppression_categories",
    "anniversary_merge_days",
)

Check = Callable[[str], str | None]  # returns an error text, or None when the value is fine


class StrategySeedError(ValueError):
    """A strategy seed breaks a rule; the message has one line per problem."""


# --- value checks -------------------------------------------------------------------------------------------


def _integer(low: int, high: int | None = None) -> Check:
    def check(value: str) -> str | None:
        if not re.fullmatch(r"-?\d+", value.strip()):
            return f"must be a whole number, got {value!r}"
        n = int(value)
        if n < low or (high is not None and n > high):
            return f"must be {'at least ' + str(low) if high is None else f'from {low} to {high}'}, got {n}"
        return None

    return check


def _number(low: float, high: float | None = None) -> Check:
    def check(value: str) -> str | None:
        try:
            n = float(value)
        except ValueError:
            return f"must be a number with a dot as decimal separator, got {value!r}"
        if n < low or (high is not None and n > high):
            return f"must be {'at least ' + str(low) if high is None else f'from {low} to {high}'}, got {value}"
        return None

    return check


def _one_of(allowed: Iterable[str]) -> Check:
    allowed = tuple(allowed)

    def check(value: str) -> str | None:
        return None if value in allowed else f"must be one of {', '.join(allowed)}; got {value!r}"

    return check


def _list_of(allowed: Iterable[str], *, extra: tuple[str, ...] = ()) -> Check:
    allowed = tuple(allowed)

    def check(value: str) -> str | None:
        if value in extra:
            return None
        wrong = [v for v in value.split("|") if v not in allowed]
        if not value or wrong:
            return (
                f"must be a '|'-separated list of {', '.join(allowed)}"
                f"{' (or ' + ', '.join(extra) + ')' if extra else ''}; got {value!r}"
            )
        return None

    return check


def _boolean(value: str) -> str | None:
    return None if value.lower() in ("true", "false") else f"must be true or false, got {value!r}"


def _text(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


def _iso_date(value: str) -> str | None:
    try:
        date.fromisoformat(value)
    except ValueError:
        return f"must be a date YYYY-MM-DD, got {value!r}"
    return None


# --- per file -----------------------------------------------------------------------------------------------


def _rows(path: Path, required: tuple[str, ...], errors: list[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of a seed CSV; a missing file or column is an error."""
    if not path.exists():
        errors.append(f"{path}: file missing")
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            errors.append(f"{path} line 1: missing column(s) {', '.join(missing)}")
            return []
        rows = []
        for row in reader:
            if row.get(None):  # type: ignore[call-overload]
                errors.append(
                    f"{path} line {reader.line_num}: more values than columns (an unquoted comma, "
                    "say a decimal comma? use a dot, and quotes around text with commas)"
                )
                continue
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}))
        return rows


def _check_columns(
    path: Path,
    rows: list[tuple[int, dict[str, str]]],
    key: str,
    checks: dict[str, Check],
    errors: list[str],
    *,
    unique: bool = True,
) -> None:
    seen: dict[str, int] = {}
    for line, row in rows:
        where = f"{path} line {line} ({key}={row.get(key, '')!r})"
        for column, check in checks.items():
            problem = check(row.get(column, ""))
            if problem:
                errors.append(f"{where}, column {column}: {problem}")
        if unique and row.get(key) in seen:
            errors.append(f"{where}, column {key}: duplicate of line {seen[row[key]]}")
        seen.setdefault(row.get(key, ""), line)


def validate_strategy_seeds(seed_dir: Path) -> list[str]:
    """Every problem in the strategy seeds of `seed_dir`, one readable line each (empty when all is well)."""
    errors: list[str] = []

    costs_path = seed_dir / "channel_costs.csv"
    costs = _rows(costs_path, ("channel", "direction", "cost_per_contact", "consent"), errors)
    _check_columns(
        costs_path,
        costs,
        "channel",
        {"channel": _one_of(CHANNELS), "direction": _one_of(("inbound", "outbound")), "cost_per_contact": _number(0)},
        errors,
        unique=False,
    )
    keys: dict[tuple[str, str], int] = {}
    for line, row in costs:
        pair = (row["channel"], row["direction"])
        if pair in keys:
            errors.append(
                f"{costs_path} line {line} (channel={row['channel']!r}): {row['direction']} "
                f"duplicate of line {keys[pair]}"
            )
        keys.setdefault(pair, line)
        if row["direction"] == "outbound" and row["consent"] not in CONSENTS:
            errors.append(
                f"{costs_path} line {line} (channel={row['channel']!r}), column consent: an outbound "
                f"channel needs one of {', '.join(CONSENTS)}; got {row['consent']!r}"
            )
    outbound = tuple(sorted(c for c, d in keys if d == "outbound")) or CHANNELS

    strategy_path = seed_dir / "contact_strategy.csv"
    strategy = _rows(
        strategy_path,
        (
            "segment",
            "goal",
            "channels",
            "contacts_per_year",
            "max_contact_cost_per_year",
            "complaint_follow_up_channels",
            "complaint_follow_up_hours",
            "control_group_share",
            "dialogue_script",
        ),
        errors,
    )
    _check_columns(
        strategy_path,
        strategy,
        "segment",
        {
            "segment": _one_of(SEGMENTS),
            "goal": _one_of(GOALS),
            "channels": _list_of(outbound),
            "contacts_per_year": _integer(0, 365),
            "max_contact_cost_per_year": _number(0),
            "complaint_follow_up_channels": _list_of(outbound),
            "complaint_follow_up_hours": _integer(0, 24 * 30),
            "control_group_share": _number(0, 0.5),
            "dialogue_script": _text,
        },
        errors,
    )
    if strategy:
        absent = [s for s in SEGMENTS if s not in {row["segment"] for _, row in strategy}]
        if absent:
            errors.append(
                f"{strategy_path}: no row for segment(s) {', '.join(absent)} (every segment needs a strategy)"
            )

    triggers_path = seed_dir / "contact_triggers.csv"
    triggers = _rows(
        triggers_path,
        (
            "trigger",
            "enabled",
            "goals",
            "channels",
            "delay_days",
            "window_days",
            "priority",
            "withheld_for_control_group",
        ),
        errors,
    )
    _check_columns(
        triggers_path,
        triggers,
        "trigger",
        {
            "trigger": _one_of(TRIGGERS),
            "enabled": _boolean,
            "goals": _list_of(GOALS, extra=("all",)),
            "delay_days": _integer(0, 364),
            "window_days": _integer(0, 3650),
            "priority": _integer(1, 999),
            "withheld_for_control_group": _boolean,
        },
        errors,
    )
    for line, row in triggers:
        where = f"{triggers_path} line {line} (trigger={row['trigger']!r})"
        if row["trigger"] == "complaint_follow_up":
            if row["channels"]:
                errors.append(
                    f"{where}, column channels: leave empty; complaint follow-ups use "
                    "contact_strategy.complaint_follow_up_channels per segment"
                )
        else:
            problem = _list_of(outbound)(row["channels"])
            if problem:
                errors.append(f"{where}, column channels: {problem}")
        if row["trigger"] in NEVER_WITHHELD and row["withheld_for_control_group"].lower() == "true":
            errors.append(
                f"{where}, column withheld_for_control_group: a service contact is never withheld "
                "from the control group; must be false"
            )

    settings_path = seed_dir / "contact_settings.csv"
    settings = _rows(settings_path, ("key", "value"), errors)
    _check_columns(settings_path, settings, "key", {"key": _one_of(SETTINGS_KEYS)}, errors)
    values = {row["key"]: (line, row["value"]) for line, row in settings}
    value_checks: dict[str, Check] = {
        "control_group_salt": _text,
        "callback_segments": _list_of(SEGMENTS),
        "callback_minutes": _integer(1),
        "survey_suppression_categories": _list_of(TICKET_CATEGORIES),
        "anniversary_merge_days": _integer(0, 182),
    }
    for key, check in value_checks.items():
        if key not in values:
            if settings:
                errors.append(f"{settings_path}: no row for key {key!r}")
            continue
        line, value = values[key]
        problem = check(value)
        if problem:
            errors.append(f"{settings_path} line {line} (key={key!r}), column value: {problem}")

    founding_path = seed_dir / "company_founding_dates.csv"
    founding = _rows(founding_path, ("kvk_number", "founded_on"), errors)
    _check_columns(
        founding_path,
        founding,
        "kvk_number",
        {
            "kvk_number": lambda v: None if re.fullmatch(r"\d{8}", v) else f"must be 8 digits, got {v!r}",
            "founded_on": _iso_date,
        },
        errors,
    )
    return errors


def check_strategy_seeds(seed_dir: Path) -> None:
    """Raise StrategySeedError listing every problem (the first line says how many)."""
    errors = validate_strategy_seeds(seed_dir)
    if errors:
        raise StrategySeedError(
            f"{len(errors)} problem(s) in the contact-strategy seeds: {errors[0]}"
            + "".join(f"\n  {e}" for e in errors[1:])
        )
