"""Hand-made int_party_records rows for the linkage tests (contract columns, defaults blank)."""

from __future__ import annotations

import pandas as pd

PARTY_COLUMNS = (
    "record_key",
    "source_system",
    "source_entity",
    "source_record_id",
    "party_kind",
    "first_name",
    "infix",
    "last_name",
    "full_name",
    "display_name",
    "organisation_name",
    "legal_form",
    "email",
    "email_is_role",
    "phone",
    "street",
    "house_number",
    "house_number_addition",
    "postcode",
    "city",
    "country",
    "kvk_number",
    "vat_number",
    "iban",
    "birth_date",
    "organisation_record_key",
    "first_seen_at",
    "email_opt_in",
    "phone_opt_in",
)


def party_record(source: str, record_id: str, kind: str = "person", **values: object) -> dict[str, object]:
    system, entity = source.split(":")
    row: dict[str, object] = dict.fromkeys(PARTY_COLUMNS)
    row.update(
        record_key=f"{system}:{entity}:{record_id}",
        source_system=system,
        source_entity=entity,
        source_record_id=record_id,
        party_kind=kind,
        email_is_role=False,
        country="NL",
        first_seen_at=pd.Timestamp("2020-01-01", tz="UTC"),
    )
    row.update(values)
    return row


def party_frame(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(PARTY_COLUMNS))
