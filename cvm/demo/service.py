"""Service desk export: requesters (persons), their tickets, and ticket and relationship surveys.

Everything is delivered per quarter of its creation/sent date; a requester is created with their first
ticket, so tickets and surveys never point at a requester from a later delivery. Complaints and low
scores are more likely for customers with a high latent dropout probability (a real churn signal).
"""

from __future__ import annotations

from cvm.demo import messy
from cvm.demo.context import Context, iso_time, office_seconds, poisson
from cvm.demo.people import Customer, Person

REQUESTERS, TICKETS, SURVEYS = "service/requesters", "service/tickets", "service/surveys"
REQUESTER_RATE = 0.22  # persons who ever contact the service desk (scaled by intensity)
DUPLICATE_REQUESTER_RATE = 0.05  # a returning person registered again (other e-mail or phone)
TICKETS_PER_YEAR = 0.5
TICKET_SURVEY_RATE = 0.5
RELATIONSHIP_SURVEY_RATE = 0.25  # per requester per year
RESPONSE_RATE = 0.4


def emit(ctx: Context, cust: Customer) -> None:
    rng = ctx.rng
    end = ctx.window.end_day
    for person in cust.persons:
        if rng.random() >= REQUESTER_RATE * min(2.0, 0.5 + 0.5 * cust.intensity):
            continue
        first_ticket = rng.randint(min(cust.acquired + 3, end), end)
        years = (end - first_ticket + 1) / 365.25
        later = sorted(rng.randint(first_ticket, end) for _ in range(poisson(rng, years * TICKETS_PER_YEAR)))
        requester_id = _requester(ctx, cust, person, first_ticket, duplicate=False)
        for day in [first_ticket, *later]:
            _ticket(ctx, cust, requester_id, day)
        _relationship_surveys(ctx, cust, requester_id, first_ticket)
        if rng.random() < DUPLICATE_REQUESTER_RATE:
            again = rng.randint(first_ticket, end)
            dup_id = _requester(ctx, cust, person, again, duplicate=True)
            _ticket(ctx, cust, dup_id, again)


def _requester(ctx: Context, cust: Customer, person: Person, created: int, duplicate: bool) -> str:
    rng = ctx.rng
    requester_id = f"R{ctx.next('requester'):07d}"
    ctx.record(REQUESTERS, requester_id, person.party_id, cust.customer_id, "person")
    private = duplicate or (cust.org is not None and rng.random() < 0.3)
    email = person.private_email if private else person.email
    phone = person.landline if duplicate and person.landline else person.mobile
    company = messy.company_name(rng, cust.org) if cust.org is not None and rng.random() < 0.5 else ""
    ctx.writers[REQUESTERS].write(
        created,
        [
            requester_id,
            messy.blank(rng, messy.display_name(rng, person), 0.05),
            messy.email(rng, messy.blank(rng, email, 0.1)),
            messy.phone(rng, phone, 0.25),
            company,
            iso_time(created, office_seconds(rng)),
        ],
    )
    return requester_id


def _score(ctx: Context, cust: Customer, mean: float, spread: float, lo: int, hi: int) -> int:
    return min(hi, max(lo, round(ctx.rng.gauss(mean, spread))))


def _ticket(ctx: Context, cust: Customer, requester_id: str, day: int) -> None:
    rng = ctx.rng
    end = ctx.window.end_day
    ticket_id = f"T{ctx.next('ticket'):08d}"
    complaint_p = 0.08 + 0.8 * cust.dropout
    r = rng.random()
    category = (
        "complaint"
        if r < complaint_p
        else "return"
        if r < complaint_p + 0.15
        else "question"
        if r < complaint_p + 0.7
        else "other"
    )
    channel = rng.choices(("phone", "email", "chat", "web"), weights=(35, 35, 15, 15))[0]
    priority = rng.choices(
        ("low", "normal", "high"), weights=(10, 50, 40) if category == "complaint" else (35, 55, 10)
    )[0]
    created_seconds = office_seconds(rng)
    resolve_days = int(rng.expovariate(1 / (4.0 if category == "complaint" else 1.5)))
    resolved_day = day + resolve_days
    if resolved_day > end or rng.random() < 0.01:
        status, resolved = "open", ""
    else:
        status = "closed" if rng.random() < 0.6 else "resolved"
        seconds = office_seconds(rng)
        if resolve_days == 0:
            seconds = max(created_seconds + 600, seconds)
        resolved = iso_time(resolved_day, min(seconds, 86399))
    satisfaction = ""
    if resolved and rng.random() < 0.45:
        mean = 4.4 - 3.0 * cust.dropout - (1.2 if category == "complaint" else 0.0)
        satisfaction = str(_score(ctx, cust, mean, 0.8, 1, 5))
    ctx.writers[TICKETS].write(
        day,
        [
            ticket_id,
            requester_id,
            iso_time(day, created_seconds),
            resolved,
            category,
            channel,
            priority,
            status,
            satisfaction,
        ],
    )
    if resolved and rng.random() < TICKET_SURVEY_RATE:
        _survey(
            ctx,
            cust,
            requester_id,
            ticket_id,
            min(resolved_day + 1, end),
            penalty=2.0 if category == "complaint" else 0.0,
        )


def _survey(ctx: Context, cust: Customer, requester_id: str, ticket_id: str, sent: int, penalty: float) -> None:
    rng = ctx.rng
    end = ctx.window.end_day
    responded_day = sent + int(rng.expovariate(0.5))
    answered = rng.random() < RESPONSE_RATE and responded_day <= end
    nps = str(_score(ctx, cust, 9.0 - 12.0 * cust.dropout - penalty, 1.5, 0, 10)) if answered else ""
    ctx.writers[SURVEYS].write(
        sent,
        [
            f"S{ctx.next('survey'):08d}",
            requester_id,
            ticket_id,
            iso_time(sent, office_seconds(rng)),
            iso_time(responded_day, rng.randrange(7 * 3600, 23 * 3600)) if answered else "",
            messy.blank(rng, nps, 0.05),
        ],
    )


def _relationship_surveys(ctx: Context, cust: Customer, requester_id: str, since: int) -> None:
    rng = ctx.rng
    end = ctx.window.end_day
    years = (end - since) / 365.25
    for _ in range(poisson(rng, years * RELATIONSHIP_SURVEY_RATE)):
        _survey(ctx, cust, requester_id, "", rng.randint(since, end), penalty=0.0)
