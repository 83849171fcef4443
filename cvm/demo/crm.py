"""CRM export: accounts (all B2B customers), contacts (their persons + some consumers), activities.

Accounts and contacts come as a full snapshot plus a later delta that re-delivers changed records with a
later updated_at, and adds records created after the snapshot.
"""

from __future__ import annotations

from cvm.demo import messy, names
from cvm.demo.context import Context, iso_time, office_seconds, poisson
from cvm.demo.people import Customer, Organisation, Person

ACCOUNTS, CONTACTS, ACTIVITIES = "crm/accounts", "crm/contacts", "crm/activities"
CONSUMER_IN_CRM = 0.35  # consumers the CRM knows (the others only buy)
DUPLICATE_CONTACT_RATE = 0.04  # persons entered twice as a CRM contact
CHANGE_RATE = 0.12  # records re-delivered in the delta with changed fields
ACTIVITIES_PER_YEAR = {"organisation": 2.5, "person": 0.4}  # per contact, times the customer's intensity


def emit(ctx: Context, cust: Customer) -> None:
    rng = ctx.rng
    account_id = ""
    account_created = cust.acquired
    if cust.org is not None:
        account_created = max(cust.acquired - rng.randrange(0, 180), ctx.window.start_day - 400)
        account_id = _account(ctx, cust, cust.org, account_created)
    for person in cust.persons:
        if cust.org is None and rng.random() >= CONSUMER_IN_CRM * min(1.6, 0.7 + 0.3 * cust.intensity):
            continue
        created = account_created + rng.randrange(0, 60) if cust.org else cust.acquired - rng.randrange(0, 30)
        created = min(created, ctx.window.end_day)
        contact_id = _contact(ctx, cust, person, account_id, created, duplicate=False)
        _activities(ctx, cust, contact_id, account_id, created)
        if rng.random() < DUPLICATE_CONTACT_RATE:
            later = min(ctx.window.end_day, created + rng.randrange(30, 700))
            # entered again by a colleague who did not find the first one, often as a consumer
            dup_account = account_id if rng.random() < 0.5 else ""
            dup_id = _contact(ctx, cust, person, dup_account, later, duplicate=True)
            _activities(ctx, cust, dup_id, dup_account, later, scale=0.3)


def _stamp(ctx: Context, lo: int, hi: int) -> tuple[int, str]:
    day = ctx.rng.randint(lo, max(lo, hi))
    return day, iso_time(day, office_seconds(ctx.rng))


def _account(ctx: Context, cust: Customer, org: Organisation, created: int) -> str:
    rng = ctx.rng
    account_id = f"ACC-{ctx.next('account'):06d}"
    ctx.record(ACCOUNTS, account_id, org.party_id, cust.customer_id, "organisation")
    snap = ctx.window.snapshot_day
    created_text = iso_time(created, office_seconds(rng))

    def row(updated: str, manager: str, phone: str, email: str) -> list[str]:
        return [
            account_id,
            messy.company_name(rng, org),
            messy.blank(rng, org.kvk, 0.12),
            messy.blank(rng, org.vat, 0.35),
            *messy.address_fields(rng, org.address),
            phone,
            email,
            messy.blank(rng, rng.choice((f"www.{org.domain}", f"https://{org.domain}", org.domain)), 0.2),
            manager,
            created_text,
            updated,
        ]

    email = messy.email(rng, messy.blank(rng, f"info@{org.domain}", 0.15))
    phone = messy.phone(rng, org.phone, 0.1)
    _, updated = _stamp(ctx, created, snap if created <= snap else ctx.window.end_day)
    first = row(updated, org.account_manager, phone, email)
    changed, changed_day = None, None
    if rng.random() < CHANGE_RATE:
        lo = max(created, snap) + 1
        changed_day, updated2 = _stamp(ctx, min(lo, ctx.window.end_day), ctx.window.end_day)
        manager = rng.choice(names.EMPLOYEES) if rng.random() < 0.5 else org.account_manager
        changed = row(updated2, manager, messy.phone(rng, org.phone, 0.0), messy.email(rng, email))
    ctx.versioned(ACCOUNTS, created, (first, changed), changed_day)
    return account_id


def _contact(ctx: Context, cust: Customer, person: Person, account_id: str, created: int, duplicate: bool) -> str:
    rng = ctx.rng
    contact_id = f"CON-{ctx.next('contact'):06d}"
    ctx.record(CONTACTS, contact_id, person.party_id, cust.customer_id, "person")
    snap = ctx.window.snapshot_day
    b2b = cust.org is not None and account_id != ""
    email = person.email if not duplicate or rng.random() < 0.4 else person.private_email
    # the CRM keeps the address it was given: for people who moved that is the old one
    address = person.old_address or person.address
    created_text = iso_time(created, office_seconds(rng))

    def row(updated: str, email_text: str, addr_fields: list[str], opt_in: str) -> list[str]:
        first, infix, last = messy.contact_name_fields(rng, person)
        work_phone = (
            messy.phone(rng, cust.org.phone, 0.3) if b2b and cust.org else messy.phone(rng, person.landline, 0.3)
        )
        return [
            contact_id,
            account_id,
            messy.blank(rng, first, 0.03),
            infix,
            last,
            email_text,
            work_phone,
            messy.phone(rng, person.mobile, 0.2),
            messy.blank(rng, person.birth.isoformat(), 0.55),
            *addr_fields,
            opt_in,
            rng.choice(("true", "false", "")),
            created_text,
            updated,
        ]

    def address_fields() -> list[str]:
        if b2b and rng.random() < 0.7:
            return ["", "", "", "", ""]  # business contacts: the address lives on the account
        return messy.address_fields(rng, address)

    opt_in = rng.choice(("true", "true", "false", ""))
    email_text = messy.email(rng, messy.blank(rng, email, 0.1))
    _, updated = _stamp(ctx, created, snap if created <= snap else ctx.window.end_day)
    first = row(updated, email_text, address_fields(), opt_in)
    changed, changed_day = None, None
    if rng.random() < CHANGE_RATE or (person.old_address is not None and rng.random() < 0.3):
        lo = min(max(created, snap) + 1, ctx.window.end_day)
        changed_day, updated2 = _stamp(ctx, lo, ctx.window.end_day)
        if person.old_address is not None:
            address = person.address  # the move is finally recorded
        new_opt_in = rng.choice(("true", "false"))
        changed = row(updated2, messy.email(rng, email), address_fields(), new_opt_in)
    ctx.versioned(CONTACTS, created, (first, changed), changed_day)
    return contact_id


def _activities(
    ctx: Context, cust: Customer, contact_id: str, account_id: str, created: int, scale: float = 1.0
) -> None:
    rng = ctx.rng
    start = max(created, ctx.window.start_day)
    end = ctx.window.end_day
    if start > end:
        return
    years = (end - start + 1) / 365.25
    n = poisson(rng, years * ACTIVITIES_PER_YEAR[cust.kind] * cust.intensity * scale * ctx.volume)
    writer = ctx.writers[ACTIVITIES]
    b2b = account_id != ""
    manager = cust.org.account_manager if cust.org else ""
    for _ in range(n):
        day = rng.randint(start, end)
        kind = rng.choices(
            ("visit", "call", "email", "meeting", "mailing"),
            weights=(15, 35, 30, 10, 10) if b2b else (0, 45, 35, 0, 20),
        )[0]
        inbound = kind not in ("visit", "mailing") and rng.random() < 0.4
        direction = "inbound" if inbound else "outbound"
        duration = {
            "call": rng.randint(2, 35),
            "visit": rng.randint(30, 120),
            "meeting": rng.choice((30, 45, 60, 90)),
        }.get(kind)
        employee = manager if manager and rng.random() < 0.7 else rng.choice(names.EMPLOYEES)
        contact = "" if b2b and rng.random() < 0.1 else contact_id  # account-level activity
        writer.write(
            day,
            [
                f"ACT-{ctx.next('activity'):08d}",
                contact,
                account_id,
                kind,
                direction,
                iso_time(day, office_seconds(rng)),
                "" if duration is None else str(duration),
                messy.blank(rng, employee, 0.05),
                rng.choice(names.ACTIVITY_SUBJECTS[kind]),
            ],
        )
