"""The landing contract of DESIGN.md as data: every loader, generator, suite and test reads it from here.

One entry per system/entity. Column names are the source-native names; every raw column is stored as
text. `required` columns must be present in a delivery's header or the whole delivery is rejected;
the others become NULL when absent (real exports often drop optional columns).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entity:
    system: str
    entity: str
    columns: tuple[str, ...]
    key: str
    required: tuple[str, ...]
    updated_at: str | None = None  # column that orders versions of one record, if the source has one

    @property
    def name(self) -> str:
        """`crm/accounts` -> `crm_accounts`: the raw table and the GX suite are named after it."""
        return f"{self.system}_{self.entity}"

    @property
    def path(self) -> str:
        return f"{self.system}/{self.entity}"


ENTITIES: tuple[Entity, ...] = (
    Entity(
        "crm",
        "accounts",
        (
            "account_id",
            "company_name",
            "kvk_number",
            "vat_number",
            "street",
            "house_number",
            "postcode",
            "city",
            "country",
            "phone",
            "email",
            "website",
            "account_manager",
            "created_at",
            "updated_at",
        ),
        key="account_id",
        required=("account_id", "company_name"),
        updated_at="updated_at",
    ),
    Entity(
        "crm",
        "contacts",
        (
            "contact_id",
            "account_id",
            "first_name",
            "infix",
            "last_name",
            "email",
            "phone",
            "mobile",
            "birth_date",
            "street",
            "house_number",
            "postcode",
            "city",
            "country",
            "email_opt_in",
            "phone_opt_in",
            "created_at",
            "updated_at",
        ),
        key="contact_id",
        required=("contact_id", "last_name"),
        updated_at="updated_at",
    ),
    Entity(
        "crm",
        "activities",
        (
            "activity_id",
            "contact_id",
            "account_id",
            "activity_type",
            "direction",
            "occurred_at",
            "duration_minutes",
            "employee",
            "subject",
        ),
        key="activity_id",
        required=("activity_id", "activity_type", "occurred_at"),
    ),
    Entity(
        "finance",
        "debtors",
        (
            "debtor_number",
            "name",
            "kvk_number",
            "vat_number",
            "iban",
            "street",
            "house_number",
            "postcode",
            "city",
            "country",
            "email",
            "phone",
            "payment_terms_days",
            "created_at",
        ),
        key="debtor_number",
        required=("debtor_number", "name"),
    ),
    Entity(
        "finance",
        "invoices",
        (
            "invoice_number",
            "debtor_number",
            "invoice_date",
            "due_date",
            "paid_date",
            "amount_excl_vat",
            "vat_amount",
            "cost_amount",
            "status",
        ),
        key="invoice_number",
        required=("invoice_number", "debtor_number", "invoice_date", "amount_excl_vat", "status"),
    ),
    Entity(
        "marketing",
        "subscribers",
        (
            "subscriber_id",
            "email",
            "first_name",
            "last_name",
            "company",
            "postcode",
            "opt_in",
            "subscribed_at",
            "unsubscribed_at",
        ),
        key="subscriber_id",
        required=("subscriber_id", "email"),
    ),
    Entity(
        "marketing",
        "events",
        ("event_id", "subscriber_id", "campaign_id", "campaign_name", "channel", "event_type", "occurred_at", "cost"),
        key="event_id",
        required=("event_id", "subscriber_id", "event_type", "occurred_at"),
    ),
    Entity(
        "service",
        "requesters",
        ("requester_id", "name", "email", "phone", "company", "created_at"),
        key="requester_id",
        required=("requester_id",),
    ),
    Entity(
        "service",
        "tickets",
        (
            "ticket_id",
            "requester_id",
            "created_at",
            "resolved_at",
            "category",
            "channel",
            "priority",
            "status",
            "satisfaction",
        ),
        key="ticket_id",
        required=("ticket_id", "requester_id", "created_at"),
    ),
    Entity(
        "service",
        "surveys",
        ("survey_id", "requester_id", "ticket_id", "sent_at", "responded_at", "nps_score"),
        key="survey_id",
        required=("survey_id", "requester_id"),
    ),
)

BY_PATH: dict[str, Entity] = {e.path: e for e in ENTITIES}
BY_NAME: dict[str, Entity] = {e.name: e for e in ENTITIES}

# Source records that describe a party (a person or an organisation); the others are facts about them.
PARTY_ENTITIES: tuple[str, ...] = (
    "crm_accounts",
    "crm_contacts",
    "finance_debtors",
    "marketing_subscribers",
    "service_requesters",
)

# Columns every raw table carries besides the delivered ones (lineage of each row).
RAW_META_COLUMNS: tuple[str, ...] = ("_load_id", "_source_file", "_row_number", "_loaded_at", "_extra")

LANDING_EXTENSIONS: tuple[str, ...] = (".csv", ".csv.gz", ".jsonl", ".parquet")
