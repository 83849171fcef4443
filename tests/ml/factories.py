"""Hand-made int_party_records rows for the linkage tests (contract columns, defaults blank)."""

from __future__ import annotations

import pandas as pd

from ml.linkage import resolve

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
    "website_domain",
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


def clusters(frame: pd.DataFrame, settings, level: str = "party") -> set[frozenset[str]]:  # noqa: ANN001
    """The resolved groups (`party` or `customer`) as sets of source record ids."""
    out = resolve(frame, settings=settings).records
    ids = out["record_key"].str.split(":").str[-1]
    return {frozenset(g) for g in ids.groupby(out[f"{level}_id"].to_numpy()).agg(set)}


def background(n: int = 40) -> list[dict[str, object]]:
    """Ordinary duplicates (a CRM contact and its newsletter sign-up) and single records, so the model
    learns its weights from a realistic mix rather than from its priors alone."""
    rows = []
    for i in range(n):
        first, last, pc = f"voornaam{chr(97 + i % 26)}{i}", f"achternaam{i}", f"{2000 + i}AB"
        mail = f"{first}.{last}@ziggo.nl"
        rows.append(
            party_record(
                "crm:contacts", f"BG-{i}", first_name=first, last_name=last, email=mail, postcode=pc, house_number="1"
            )
        )
        if i % 2:
            rows.append(
                party_record(
                    "marketing:subscribers", f"BGS-{i}", first_name=first, last_name=last, email=mail, postcode=pc
                )
            )
    return rows
