"""A small hand-written warehouse for the dbt tests: raw deliveries with the mess the standardisation
must handle, and the rows the Python stages would write to ml.* (identity, scores, segment history).

Customers (identity written by hand, as the linkage step would):
- C-ORG1 organisation 'Bakkerij De Jong': crm account ACC-1 + contact CON-1 (Jan de Jong), debtor DEB-1,
  subscriber SUB-1, requester REQ-1. Star. E-mail consent yes, phone consent no; a complaint 11 days
  before the as-of date.
- C-ORG2 organisation 'Jansen Techniek': ACC-2 + DEB-2. Cash cow. No consent known at all.
- C-EMILE person: CON-2, DEB-3, SUB-2 (unsubscribed). Sleeper all year, dog in the as-of month (bought on
  the as-of day). Phone consent yes, e-mail consent no.
- C-PIET person: SUB-3 + REQ-2. New.
"""

from __future__ import annotations

AS_OF = "2026-10-31"
RUN_ID = "run-test-1"

# load_id -> (system, entity, decimal_separator)
LOADS = {
    1: ("crm", "accounts", "."),
    2: ("crm", "accounts", "."),
    3: ("crm", "contacts", "."),
    4: ("crm", "activities", "."),
    5: ("finance", "debtors", "."),
    6: ("finance", "invoices", ","),
    7: ("finance", "invoices", "."),
    8: ("marketing", "subscribers", "."),
    9: ("marketing", "events", "."),
    10: ("service", "requesters", "."),
    11: ("service", "tickets", "."),
    12: ("service", "surveys", "."),
    13: ("finance", "invoices", "."),
}

# table -> list of (load_id, {column: value})
RAW: dict[str, list[tuple[int, dict[str, str]]]] = {
    "crm_accounts": [
        (
            1,
            dict(
                account_id="ACC-1",
                company_name=" Bakkerij De Jong B.V. ",
                kvk_number="1234 5678",
                street="Dorpsstraat",
                house_number="12a",
                postcode="1234 ab",
                city="Utrecht",
                country="",
                phone="030-1234567",
                email="Info@BakkerijDeJong.nl",
                account_manager="Anna Smit",
                created_at="2020-03-15",
                updated_at="2026-01-01 10:00:00",
            ),
        ),
        (
            1,
            dict(
                account_id="ACC-2",
                company_name="Jansen Techniek BV",
                kvk_number="87654321",
                street="Industrieweg",
                house_number="5-2",
                postcode="9999ZZ",
                city="Groningen",
                country="Nederland",
                phone="+31 20 123 4567",
                email="",
                account_manager="",
                created_at="2025-11-20",
                updated_at="2025-11-20 09:00:00",
            ),
        ),
        # delta: ACC-1 moved (newer updated_at wins) ...
        (
            2,
            dict(
                account_id="ACC-1",
                company_name="Bakkerij De Jong B.V.",
                kvk_number="12345678",
                street="Stationsplein",
                house_number="1",
                postcode="3811 AA",
                city="Amersfoort",
                country="NL",
                phone="030-1234567",
                email="info@bakkerijdejong.nl",
                account_manager="Anna Smit",
                created_at="2020-03-15",
                updated_at="2026-06-01 08:00:00",
            ),
        ),
        # ... and a late re-delivery of an OLDER ACC-2 version must not win over the newer one
        (
            2,
            dict(
                account_id="ACC-2",
                company_name="Jansen Techniek",
                kvk_number="87654321",
                street="Oude weg",
                house_number="1",
                postcode="9000AA",
                city="Oldtown",
                country="NL",
                phone="",
                email="",
                account_manager="",
                created_at="2025-11-20",
                updated_at="2025-01-01 09:00:00",
            ),
        ),
    ],
    "crm_contacts": [
        (
            3,
            dict(
                contact_id="CON-1",
                account_id="ACC-1",
                first_name="Jan",
                infix="",
                last_name="Jong, de",
                email=" JAN@BakkerijDeJong.nl ",
                phone="06-12345678",
                mobile="",
                birth_date="1975-04-12",
                street="Dorpsstraat",
                house_number="12 bis",
                postcode="1234AB",
                city="Utrecht",
                country="NL",
                email_opt_in="ja",
                phone_opt_in="nee",
                created_at="2020-03-15",
                updated_at="2024-01-01",
            ),
        ),
        (
            3,
            dict(
                contact_id="CON-2",
                account_id="",
                first_name="Émile",
                infix="van der",
                last_name="Berg",
                email="emile@example.com",
                phone="not known",
                mobile="0031 6 8765 4321",
                birth_date="1980-02-31",
                street="Kerklaan",
                house_number="7",
                postcode="2000 bb",
                city="Haarlem",
                country="",
                email_opt_in="no",
                phone_opt_in="yes",
                created_at="2024-05-01T12:00:00Z",
                updated_at="2024-05-01",
            ),
        ),
    ],
    "crm_activities": [
        (
            4,
            dict(
                activity_id="ACT-1",
                contact_id="CON-1",
                account_id="ACC-1",
                activity_type="Visit",
                direction="outbound",
                occurred_at="2026-05-10 10:00:00",
                duration_minutes="90",
            ),
        ),
        (
            4,
            dict(
                activity_id="ACT-2",
                contact_id="CON-1",
                account_id="ACC-1",
                activity_type="call",
                direction="outbound",
                occurred_at="2026-09-01 09:00:00",
                duration_minutes="10",
            ),
        ),
        (
            4,
            dict(
                activity_id="ACT-3",
                contact_id="",
                account_id="ACC-2",
                activity_type="email",
                direction="outbound",
                occurred_at="2026-10-15",
                duration_minutes="",
            ),
        ),
        (
            4,
            dict(
                activity_id="ACT-4",
                contact_id="CON-2",
                account_id="",
                activity_type="call",
                direction="outbound",
                occurred_at="2027-01-01 10:00:00",
                duration_minutes="5",
            ),
        ),
    ],
    "finance_debtors": [
        (
            5,
            dict(
                debtor_number="DEB-1",
                name="Bakkerij de Jong BV",
                kvk_number="12345678",
                iban="nl91 abna 0417 1643 00",
                street="Dorpsstraat",
                house_number="12A",
                postcode="1234AB",
                city="Utrecht",
                country="NL",
                email="facturen@bakkerijdejong.nl",
                phone="",
                payment_terms_days="30",
                created_at="2019-01-01",
            ),
        ),
        (
            5,
            dict(
                debtor_number="DEB-2",
                name="Jansen Techniek B.V.",
                kvk_number="",
                iban="",
                street="Industrieweg",
                house_number="5",
                postcode="9999 ZZ",
                city="Groningen",
                country="NL",
                email="",
                phone="",
                payment_terms_days="14",
                created_at="2025-11-25",
            ),
        ),
        (
            5,
            dict(
                debtor_number="DEB-3",
                name="Berg, Emile van der",
                kvk_number="",
                iban="NL02RABO0123456789",
                street="Kerklaan",
                house_number="7",
                postcode="2000BB",
                city="Haarlem",
                country="NL",
                email="emile@example.com",
                phone="",
                payment_terms_days="",
                created_at="2024-06-01",
            ),
        ),
    ],
    "finance_invoices": [
        # delivery 6 uses a decimal comma
        (
            6,
            dict(
                invoice_number="INV-1",
                debtor_number="DEB-1",
                invoice_date="2026-03-01",
                due_date="2026-03-31",
                paid_date="2026-03-20",
                amount_excl_vat="1.234,56",
                vat_amount="259,26",
                cost_amount="734,56",
                status="paid",
            ),
        ),
        (
            6,
            dict(
                invoice_number="INV-2",
                debtor_number="DEB-1",
                invoice_date="2025-12-01",
                due_date="2025-12-31",
                paid_date="2025-12-15",
                amount_excl_vat="2.000,00",
                vat_amount="420,00",
                cost_amount="1.000,00",
                status="paid",
            ),
        ),
        (
            6,
            dict(
                invoice_number="INV-3",
                debtor_number="DEB-1",
                invoice_date="2025-06-01",
                due_date="",
                paid_date="",
                amount_excl_vat="500,00",
                vat_amount="105,00",
                cost_amount="100,00",
                status="paid",
            ),
        ),
        (
            6,
            dict(
                invoice_number="INV-4",
                debtor_number="DEB-1",
                invoice_date="2026-08-01",
                due_date="",
                paid_date="",
                amount_excl_vat="300,00",
                vat_amount="63,00",
                cost_amount="150,00",
                status="credited",
            ),
        ),
        (
            6,
            dict(
                invoice_number="INV-5",
                debtor_number="DEB-3",
                invoice_date="2026-10-31",
                due_date="2026-11-30",
                paid_date="",
                amount_excl_vat="100,00",
                vat_amount="21,00",
                cost_amount="40,00",
                status="open",
            ),
        ),
        (
            6,
            dict(
                invoice_number="INV-6",
                debtor_number="DEB-3",
                invoice_date="2026-11-05",
                due_date="",
                paid_date="",
                amount_excl_vat="999,00",
                vat_amount="0",
                cost_amount="0",
                status="open",
            ),
        ),
        (
            6,
            dict(
                invoice_number="INV-7",
                debtor_number="DEB-2",
                invoice_date="2026-02-01",
                due_date="",
                paid_date="",
                amount_excl_vat="50,00",
                vat_amount="10,50",
                cost_amount="45,00",
                status="paid",
            ),
        ),
        (
            6,
            dict(
                invoice_number="INV-8",
                debtor_number="DEB-2",
                invoice_date="2026-04-01",
                due_date="",
                paid_date="",
                amount_excl_vat="80,00",
                vat_amount="16,80",
                cost_amount="20,00",
                status="open",
            ),
        ),
        # delivery 7 (decimal point) corrects INV-7: the later delivery wins
        (
            7,
            dict(
                invoice_number="INV-7",
                debtor_number="DEB-2",
                invoice_date="2026-02-01",
                due_date="",
                paid_date="2026-02-10",
                amount_excl_vat="60.00",
                vat_amount="12.60",
                cost_amount="45.00",
                status="paid",
            ),
        ),
        # delivery 13 (through 2026-09-15) credits INV-8: known from then on, not at the August month-end;
        # INV-9 arrives credited, so it never counted
        (
            13,
            dict(
                invoice_number="INV-8",
                debtor_number="DEB-2",
                invoice_date="2026-04-01",
                due_date="",
                paid_date="",
                amount_excl_vat="80.00",
                vat_amount="16.80",
                cost_amount="20.00",
                status="credited",
            ),
        ),
        (
            13,
            dict(
                invoice_number="INV-9",
                debtor_number="DEB-2",
                invoice_date="2026-09-15",
                due_date="",
                paid_date="",
                amount_excl_vat="10.00",
                vat_amount="2.10",
                cost_amount="1.00",
                status="credited",
            ),
        ),
    ],
    "marketing_subscribers": [
        (
            8,
            dict(
                subscriber_id="SUB-1",
                email="jan@bakkerijdejong.nl",
                first_name="Jan",
                last_name="de Jong",
                company="Bakkerij De Jong b.v.",
                postcode="1234ab",
                opt_in="j",
                subscribed_at="2021-01-01",
                unsubscribed_at="",
            ),
        ),
        (
            8,
            dict(
                subscriber_id="SUB-2",
                email="Emile@Example.com",
                first_name="Emile",
                last_name="van der Berg",
                company="",
                postcode="",
                opt_in="1",
                subscribed_at="2024-01-01",
                unsubscribed_at="2026-01-01",
            ),
        ),
        (
            8,
            dict(
                subscriber_id="SUB-3",
                email="piet@example.org",
                first_name="Piet",
                last_name="Pietersen",
                company="",
                postcode="",
                opt_in="true",
                subscribed_at="2026-09-15",
                unsubscribed_at="",
            ),
        ),
    ],
    "marketing_events": [
        (
            9,
            dict(
                event_id="EV-1",
                subscriber_id="SUB-1",
                campaign_id="CMP-1",
                campaign_name="Spring",
                channel="email",
                event_type="sent",
                occurred_at="2026-04-01 08:00:00",
                cost="0.10",
            ),
        ),
        (
            9,
            dict(
                event_id="EV-2",
                subscriber_id="SUB-1",
                campaign_id="CMP-1",
                campaign_name="Spring",
                channel="email",
                event_type="open",
                occurred_at="2026-04-01 09:00:00",
                cost="",
            ),
        ),
        (
            9,
            dict(
                event_id="EV-3",
                subscriber_id="SUB-3",
                campaign_id="CMP-2",
                campaign_name="Welcome",
                channel="newsletter",
                event_type="sent",
                occurred_at="2026-10-01 08:00:00",
                cost="",
            ),
        ),
    ],
    "service_requesters": [
        (
            10,
            dict(
                requester_id="REQ-1",
                name="Jan de Jong",
                email="jan@bakkerijdejong.nl",
                phone="+31 6 1234 5678",
                company="Bakkerij de Jong",
                created_at="2022-01-01",
            ),
        ),
        (
            10,
            dict(
                requester_id="REQ-2",
                name="Pietersen, Piet",
                email="piet@example.org",
                phone="",
                company="",
                created_at="2026-09-20",
            ),
        ),
    ],
    "service_tickets": [
        (
            11,
            dict(
                ticket_id="TCK-1",
                requester_id="REQ-1",
                created_at="2026-10-20 14:00:00",
                resolved_at="",
                category="complaint",
                channel="phone",
                priority="high",
                status="open",
                satisfaction="2",
            ),
        ),
        (
            11,
            dict(
                ticket_id="TCK-2",
                requester_id="REQ-1",
                created_at="2026-01-10 09:00:00",
                resolved_at="2026-01-11 09:00:00",
                category="question",
                channel="email",
                priority="low",
                status="closed",
                satisfaction="5",
            ),
        ),
        (
            11,
            dict(
                ticket_id="TCK-3",
                requester_id="REQ-2",
                created_at="2026-09-25 11:00:00",
                resolved_at="2026-09-26",
                category="complaint",
                channel="chat",
                priority="",
                status="closed",
                satisfaction="",
            ),
        ),
    ],
    "service_surveys": [
        (
            12,
            dict(
                survey_id="SRV-1",
                requester_id="REQ-1",
                ticket_id="TCK-2",
                sent_at="2026-01-12",
                responded_at="2026-01-13",
                nps_score="9",
            ),
        ),
        (
            12,
            dict(
                survey_id="SRV-2",
                requester_id="REQ-1",
                ticket_id="",
                sent_at="2026-07-01",
                responded_at="2026-07-02",
                nps_score="6",
            ),
        ),
        (
            12,
            dict(
                survey_id="SRV-3",
                requester_id="REQ-2",
                ticket_id="",
                sent_at="2026-10-05",
                responded_at="",
                nps_score="",
            ),
        ),
    ],
}

# record_key -> (party_id, customer_id, customer_type, party_kind, match_probability)
IDENTITY = {
    "crm:accounts:ACC-1": ("P-ORG1", "C-ORG1", "organisation", "organisation", 1.0),
    "finance:debtors:DEB-1": ("P-ORG1", "C-ORG1", "organisation", "organisation", 0.97),
    "crm:contacts:CON-1": ("P-JAN", "C-ORG1", "organisation", "person", 1.0),
    "marketing:subscribers:SUB-1": ("P-JAN", "C-ORG1", "organisation", "person", 0.95),
    "service:requesters:REQ-1": ("P-JAN", "C-ORG1", "organisation", "person", 0.9),
    "crm:accounts:ACC-2": ("P-ORG2", "C-ORG2", "organisation", "organisation", 1.0),
    "finance:debtors:DEB-2": ("P-ORG2", "C-ORG2", "organisation", "organisation", 0.92),
    "crm:contacts:CON-2": ("P-EMILE", "C-EMILE", "person", "person", 1.0),
    "finance:debtors:DEB-3": ("P-EMILE", "C-EMILE", "person", "person", 0.96),
    "marketing:subscribers:SUB-2": ("P-EMILE", "C-EMILE", "person", "person", 0.99),
    "marketing:subscribers:SUB-3": ("P-PIET", "C-PIET", "person", "person", 1.0),
    "service:requesters:REQ-2": ("P-PIET", "C-PIET", "person", "person", 0.93),
}

# customer_id -> scores of RUN_ID (revenue/cost reconcile with the invoices above)
SCORES = {
    #            revenue, cost, contact_cost, value_class, potential_class, segment
    "C-ORG1": (3234.56, 1734.56, 168.60, "high", "high", "star"),
    "C-ORG2": (60.00, 45.00, 1.00, "high", "low", "cash_cow"),
    "C-EMILE": (100.00, 40.00, 0.00, "low", "low", "dog"),
    "C-PIET": (0.00, 0.00, 3.30, "none", "high", "new"),
}

MONTHS = [f"{y}-{m:02d}-01" for y, m in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)]]


def segment_history() -> list[tuple[str, str, str, str, float, float]]:
    """(customer_id, month, value_class, potential_class, segment, revenue_12m) rows of RUN_ID."""
    rows = []
    for month in MONTHS:
        # C-ORG1: star, but question_mark in May 2026 -> segment_since 2026-06-01
        seg = ("low", "high", "question_mark") if month == "2026-05-01" else ("high", "high", "star")
        rows.append(("C-ORG1", month, *seg, 3000.0))
        # C-ORG2: new for three months, then cash_cow -> segment_since 2026-02-01
        seg = ("low", "low", "new") if month < "2026-02-01" else ("high", "low", "cash_cow")
        rows.append(("C-ORG2", month, *seg, 60.0 if month >= "2026-02-01" else 0.0))
        # C-EMILE: sleeper until the as-of month, then dog (reactivated by the invoice on the as-of day)
        seg = ("low", "low", "dog") if month == "2026-10-01" else ("none", "high", "sleeper")
        rows.append(("C-EMILE", month, *seg, 100.0 if month == "2026-10-01" else 0.0))
        if month >= "2026-09-01":
            rows.append(("C-PIET", month, "none", "high", "new", 0.0))
    return rows
