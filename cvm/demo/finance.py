"""Finance export: a debtor per paying customer (sometimes two) and one invoice per purchase.

Debtors and invoices are delivered per quarter (debtors by creation date, invoices by invoice date);
an invoice's debtor is always created on or before the invoice date, so it is in the same or an
earlier delivery.
"""

from __future__ import annotations

from cvm.demo import identifiers, messy
from cvm.demo.context import Context, iso_day
from cvm.demo.people import Customer

DEBTORS, INVOICES = "finance/debtors", "finance/invoices"
SECOND_DEBTOR_RATE = 0.03  # customers registered twice (two debtor numbers)
CREDITED_RATE = 0.03
LOW_VAT_RATE = 0.10  # invoices at 9% VAT instead of 21%


def emit(ctx: Context, cust: Customer) -> None:
    rng = ctx.rng
    first_day = cust.purchases[0][0]
    switch_day = None
    numbers = [_debtor(ctx, cust, first_day, second=False)]
    if rng.random() < SECOND_DEBTOR_RATE:
        last_day = cust.purchases[-1][0]
        switch_day = (
            rng.randint(first_day + 1, max(first_day + 1, last_day))
            if last_day > first_day
            else min(first_day + rng.randrange(1, 200), ctx.window.end_day)
        )
        numbers.append(_debtor(ctx, cust, switch_day, second=True))
    lateness = rng.choice((-5, 0, 0, 3, 10, 25)) if cust.org else rng.choice((-7, -2, 0, 5))
    writer = ctx.writers[INVOICES]
    end = ctx.window.end_day
    for day, amount in cust.purchases:
        debtor = numbers[1] if switch_day is not None and day >= switch_day else numbers[0]
        vat_rate = 0.09 if rng.random() < LOW_VAT_RATE else 0.21
        cost = round(amount * rng.uniform(0.5, 0.85), 2)
        due = day + cust.payment_terms
        paid_day = due + lateness + rng.randint(-3, 10)
        paid_day = max(day, paid_day)
        if rng.random() < CREDITED_RATE:
            status, paid = "credited", ""
        elif paid_day <= end:
            status, paid = "paid", iso_day(paid_day)
        else:
            status, paid = "open", ""
        number = f"{iso_day(day)[:4]}{ctx.next('invoice'):07d}"
        writer.write(
            day,
            [
                number,
                debtor,
                iso_day(day),
                iso_day(due),
                paid,
                f"{amount:.2f}",
                f"{amount * vat_rate:.2f}",
                f"{cost:.2f}",
                status,
            ],
        )


def _debtor(ctx: Context, cust: Customer, created: int, second: bool) -> str:
    rng = ctx.rng
    number = str(100000 + ctx.next("debtor"))
    org = cust.org
    person = cust.persons[0]
    if org is not None:
        ctx.record(DEBTORS, number, org.party_id, cust.customer_id, "organisation")
        name = messy.company_name(rng, org)
        mailbox = rng.choice(("facturen", "administratie", "info", "crediteuren"))
        email = f"{mailbox}@{org.domain}" if rng.random() < 0.7 else person.email
        row = [
            number,
            name,
            messy.blank(rng, org.kvk, 0.35),
            messy.blank(rng, org.vat, 0.25),
            identifiers.format_iban(cust.iban, rng.choice((0, 0, 1, 2))),
            *messy.address_fields(rng, org.address),
            messy.email(rng, messy.blank(rng, email, 0.1)),
            messy.phone(rng, org.phone, 0.15),
        ]
    else:
        ctx.record(DEBTORS, number, person.party_id, cust.customer_id, "person")
        # finance always has the current address (invoices must arrive); the CRM may still have the old one
        address = person.address if not second or person.old_address is None else person.old_address
        row = [
            number,
            messy.display_name(rng, person),
            "",
            "",
            messy.blank(rng, identifiers.format_iban(cust.iban, rng.choice((0, 0, 1, 2))), 0.2),
            *messy.address_fields(rng, address),
            messy.email(rng, messy.blank(rng, person.email, 0.15)),
            messy.phone(rng, person.mobile if rng.random() < 0.7 else person.landline, 0.15),
        ]
    row += [str(cust.payment_terms), iso_day(created)]
    ctx.writers[DEBTORS].write(created, row)
    return number
