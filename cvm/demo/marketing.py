"""Marketing export: subscribers (persons, by e-mail) and campaign events on a global campaign calendar.

Subscribers come as a full snapshot plus a delta (new subscribers, and unsubscriptions after the
snapshot re-delivered); events per quarter. Higher-value customers receive more campaigns.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass
from datetime import date

from cvm.demo import identifiers, messy, names
from cvm.demo.context import Context, iso_day, iso_time, poisson
from cvm.demo.people import Customer, Person

SUBSCRIBERS, EVENTS = "marketing/subscribers", "marketing/events"
SUBSCRIBE_RATE = 0.45  # persons on the mailing list (scaled by intensity)
DUPLICATE_SUBSCRIBER_RATE = 0.04  # persons subscribed twice (work and private address)
UNSUBSCRIBE_RATE = 0.12
# per channel: chance a subscriber is targeted by one campaign, and cost per sent item / click
RECEIVE = {"newsletter": 0.30, "email": 0.12, "mailing": 0.10, "social": 0.06, "web": 0.05}
COST_SENT = {"mailing": 0.95, "social": 0.18}
COST_CLICK = {"social": 0.45}
THEMES = (
    "Voorjaarsactie",
    "Zomeractie",
    "Najaarsactie",
    "Black Friday",
    "Kerstactie",
    "Klantendag",
    "Productlancering",
    "Winback",
    "Welkomstreeks",
    "Jubileumaanbieding",
)


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    channel: str
    day: int


def campaign_calendar(seed: int, start: date, end: date, volume: float = 1.0) -> tuple[list[Campaign], list[int]]:
    """A few campaigns per month over the window (a constant-size list, independent of customers).

    `volume` > 1 plans that many times the campaigns (so about that many events): a landing zone at the event
    volume of a busier sender, for benchmarks. At 1 the draws, and so the files, are exactly the default ones."""
    rng = random.Random(f"cvm-demo-campaigns:{seed}")
    out: list[Campaign] = []
    year, month = start.year, start.month
    rounds = max(1, math.ceil(volume))
    while date(year, month, 1) <= end:
        plan = [("newsletter", 1.0), ("email", 0.8), ("email", 0.4), ("mailing", 0.35), ("social", 0.6), ("web", 0.3)]
        k = 0
        for channel, chance in [(c, p * min(1.0, volume - r)) for r in range(rounds) for c, p in plan]:
            if rng.random() >= chance:
                continue
            day = date(year, month, rng.randint(1, 28)).toordinal()
            if day < start.toordinal() or day > end.toordinal():
                continue
            k += 1
            if channel == "newsletter":
                name = f"Nieuwsbrief {names.MONTHS_NL[month - 1]} {year}"
            else:
                name = f"{rng.choice(THEMES)} {year} ({channel})"
            out.append(Campaign(f"CMP-{year}{month:02d}-{k:02d}", name, channel, day))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    out.sort(key=lambda c: (c.day, c.campaign_id))
    return out, [c.day for c in out]


def emit(ctx: Context, cust: Customer, campaigns: list[Campaign], days: list[int]) -> None:
    rng = ctx.rng
    for person in cust.persons:
        if rng.random() >= SUBSCRIBE_RATE * min(1.8, 0.6 + 0.4 * cust.intensity):
            continue
        emails = [person.email if cust.org is None or rng.random() < 0.5 else person.private_email]
        if rng.random() < DUPLICATE_SUBSCRIBER_RATE:
            local, _, domain = person.private_email.partition("@")
            other = (
                person.email
                if emails[0] != person.email
                else f"{local}@{rng.choice([d for d in names.EMAIL_DOMAINS if d != domain])}"
            )
            emails.append(other)
        for email in emails:
            _subscriber(ctx, cust, person, email, campaigns, days)


def _subscriber(
    ctx: Context, cust: Customer, person: Person, email: str, campaigns: list[Campaign], days: list[int]
) -> None:
    rng = ctx.rng
    win = ctx.window
    subscriber_id = identifiers.uuid_like(rng)
    ctx.record(SUBSCRIBERS, subscriber_id, person.party_id, cust.customer_id, "person")
    # people may have subscribed before the history window (or before buying): no lower clip
    subscribed = min(cust.acquired + rng.randint(-200, 300), win.end_day)
    unsubscribed = rng.randint(subscribed, win.end_day) if rng.random() < UNSUBSCRIBE_RATE else None
    company = messy.company_name(rng, cust.org) if cust.org is not None and rng.random() < 0.55 else ""
    opt_in = rng.choice(("true", "true", "true", "1", "yes")) if rng.random() < 0.9 else "false"

    def row(unsub: int | None) -> list[str]:
        last = names.full_last_name(person.infix, person.last)
        return [
            subscriber_id,
            messy.email(rng, email),
            messy.blank(rng, messy.first_name(rng, person), 0.2),
            messy.case_variant(rng, messy.blank(rng, messy.maybe_typo(rng, last), 0.15)),
            company,
            messy.blank(rng, messy.postcode(rng, person.address), 0.4),
            opt_in,
            iso_time(subscribed, rng.randrange(86400)),
            "" if unsub is None else iso_day(unsub),
        ]

    if unsubscribed is not None and unsubscribed > win.snapshot_day >= subscribed:
        ctx.versioned(SUBSCRIBERS, subscribed, (row(None), row(unsubscribed)), unsubscribed)
    else:
        ctx.versioned(SUBSCRIBERS, subscribed, (row(unsubscribed), None), None)
    _events(ctx, cust, subscriber_id, subscribed, unsubscribed, campaigns, days)


def _events(
    ctx: Context,
    cust: Customer,
    subscriber_id: str,
    subscribed: int,
    unsubscribed: int | None,
    campaigns: list[Campaign],
    days: list[int],
) -> None:
    rng = ctx.rng
    writer = ctx.writers[EVENTS]
    last = unsubscribed if unsubscribed is not None else ctx.window.end_day
    boost = min(1.8, 0.5 + 0.5 * cust.intensity)
    engagement = min(0.7, 0.25 + 0.1 * cust.intensity)
    first = bisect.bisect_left(days, max(subscribed, ctx.window.start_day))
    last_campaign: Campaign | None = None

    def event(camp: Campaign, kind: str, day: int, cost: float | None) -> None:
        writer.write(
            day,
            [
                f"EV{ctx.next('event'):010d}",
                subscriber_id,
                camp.campaign_id,
                camp.name,
                camp.channel,
                kind,
                iso_time(day, rng.randrange(7 * 3600, 23 * 3600)),
                "" if cost is None else f"{cost:.2f}",
            ],
        )

    for camp in campaigns[first : bisect.bisect_right(days, last)]:
        if rng.random() >= RECEIVE[camp.channel] * boost:
            continue
        last_campaign = camp
        later = min(last, camp.day + poisson(rng, 1.0))
        if camp.channel == "web":  # retargeting: only visits and conversions are seen
            event(camp, "click", camp.day, None)
            if rng.random() < engagement * 0.2:
                event(camp, "conversion", later, None)
            continue
        event(camp, "sent", camp.day, COST_SENT.get(camp.channel))
        if camp.channel in ("email", "newsletter"):
            if rng.random() < 0.02:
                event(camp, "bounce", camp.day, None)
                continue
            if rng.random() >= engagement:
                continue
            event(camp, "open", later, None)
            if rng.random() >= 0.25:
                continue
        elif rng.random() >= (0.04 if camp.channel == "social" else 0.02):
            continue
        event(camp, "click", later, COST_CLICK.get(camp.channel))
        if rng.random() < 0.1 * cust.intensity:
            event(camp, "conversion", later, None)
    if unsubscribed is not None and last_campaign is not None:
        event(last_campaign, "unsubscribe", unsubscribed, None)
