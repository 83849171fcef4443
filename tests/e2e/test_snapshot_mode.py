"""`mode: snapshot` (issue 12, Deliver 4): a snapshot delivery is the complete current set of its entity, so a
record absent from a later snapshot is ended in staging and stops counting as a current customer.

A CRM contacts export (a full export, as CRM tools produce them) is delivered twice; the second delivery no
longer holds contact C-2. The accounts are delivered the same way but declared incremental (the default): the
account missing from their second delivery stays current. Real ingest, raw gate, dbt and record linkage.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from cvm import pipeline
from cvm.settings import local_today

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# the deliveries are loaded now: an earlier as-of date would not see them (today as the warehouse reads a load time)
AS_OF = local_today().isoformat()
CONTACTS_HEADER = "contact_id;account_id;first_name;infix;last_name;email;mobile;email_opt_in;created_at;updated_at\r\n"
CONTACTS = {
    "C-1": "C-1;A-1;Jan;de;Vries;jan@bakkerijdevries.nl;06-12345678;ja;2021-03-01;2026-09-01\r\n",
    "C-2": "C-2;;Els;;Jansen;els.jansen@gmail.com;+31 6 2345 6789;ja;2023-01-10;2026-09-01\r\n",
    "C-3": "C-3;A-2;Pieter;van der;Berg;pieter@vdberg.nl;0612121212;nee;2022-05-01;2026-09-01\r\n",
}
ACCOUNTS_HEADER = "account_id;company_name;kvk_number;postcode;email;created_at;updated_at\r\n"
ACCOUNTS = {
    "A-1": "A-1;Bakkerij De Vries B.V.;12345678;1234AB;info@bakkerijdevries.nl;2021-03-01;2026-09-01\r\n",
    "A-2": "A-2;Van der Berg Installatie BV;87654321;5678CD;contact@vdberg.nl;2022-05-01;2026-09-01\r\n",
    "A-3": "A-3;Hoveniersbedrijf Groen VOF;11223344;3511AA;post@groenhoveniers.nl;2020-01-15;2026-09-01\r\n",
}


def _export(path: Path, header: str, rows: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((header + "".join(rows)).encode("utf-8"))


def _run_until_customers(settings) -> None:  # noqa: ANN001
    """The pipeline up to the golden customers (the stages that own the rule and the customer flag)."""
    ctx = pipeline.start_run(AS_OF, str(settings.landing), settings)
    loads = pipeline.ingest(ctx, settings)
    pipeline.raw_quality_gate(ctx, loads["load_ids"], settings)
    for stage in (pipeline.dbt_prepare, pipeline.identity, pipeline.dbt_customers):
        stage(ctx, settings)


def _query(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


@pytest.fixture(scope="module")
def two_deliveries(tmp_path_factory, base_settings, warehouse_url):
    root = tmp_path_factory.mktemp("snapshot")
    landing = root / "landing"
    settings = base_settings.with_(home=root / "home", database_url=warehouse_url, landing=landing)
    (landing / "crm").mkdir(parents=True)
    (landing / "crm" / "_source.yml").write_text("delimiter: ';'\nentities:\n  contacts:\n    mode: snapshot\n")
    _export(landing / "crm" / "contacts" / "2026-11-30_contacts.csv", CONTACTS_HEADER, list(CONTACTS.values()))
    _export(landing / "crm" / "accounts" / "2026-11-30_accounts.csv", ACCOUNTS_HEADER, list(ACCOUNTS.values()))
    _run_until_customers(settings)
    first = {
        "contacts": _query(warehouse_url, "select contact_id, is_current from staging.stg_crm__contacts order by 1"),
        "customers": _customers(warehouse_url),
    }
    # the next day's exports: contact C-2 and account A-3 are gone from them
    _export(
        landing / "crm" / "contacts" / "2026-12-01_contacts.csv",
        CONTACTS_HEADER,
        [CONTACTS["C-1"], CONTACTS["C-3"]],
    )
    _export(
        landing / "crm" / "accounts" / "2026-12-01_accounts.csv",
        ACCOUNTS_HEADER,
        [ACCOUNTS["A-1"], ACCOUNTS["A-2"]],
    )
    _run_until_customers(settings)
    return warehouse_url, first


def _customers(url: str) -> dict[str, tuple]:
    """Customer of each CRM record -> (is_current, email_opt_in)."""
    rows = _query(
        url,
        """select r.source_entity || ':' || r.source_record_id, c.is_current, c.email_opt_in
           from intermediate.int_party_records_identified r join intermediate.int_customers c using (customer_id)""",
    )
    return {key: (current, opt_in) for key, current, opt_in in rows}


def test_before_the_second_snapshot_every_record_is_current(two_deliveries) -> None:
    _, first = two_deliveries
    assert first["contacts"] == [("C-1", True), ("C-2", True), ("C-3", True)]
    assert first["customers"]["contacts:C-2"] == (True, True)


def test_a_record_absent_from_the_later_snapshot_is_ended_in_staging(two_deliveries) -> None:
    url, _ = two_deliveries
    rows = _query(
        url,
        """select c.contact_id, c.is_current, c.ended_at = a.started_at, c.last_load_id = f.load_id
           from staging.stg_crm__contacts c
           join raw.load_audit a on a.path like '%2026-12-01_contacts.csv' and a.status = 'loaded'
           join raw.load_audit f on f.path like '%2026-11-30_contacts.csv' and f.status = 'loaded'
           order by 1""",
    )
    # C-2 is still in staging (its history stays), ended at the second delivery; C-1 and C-3 are current
    assert rows == [("C-1", True, None, False), ("C-2", False, True, True), ("C-3", True, None, False)]
    modes = _query(url, "select entity, options->>'mode' from raw.load_audit where status = 'loaded' order by load_id")
    assert modes == [("accounts", "incremental"), ("contacts", "snapshot")] * 2


def test_an_ended_record_stops_counting_as_a_current_customer(two_deliveries) -> None:
    url, _ = two_deliveries
    customers = _customers(url)
    assert customers["contacts:C-2"] == (False, False)  # Els was only in the CRM: no longer current, not contacted
    assert customers["contacts:C-1"][0] is True
    assert customers["contacts:C-3"][0] is True
    (party,) = _query(
        url, "select is_current from intermediate.int_party_records where record_key = 'crm:contacts:C-2'"
    )
    assert party == (False,)


def test_incremental_deliveries_never_end_a_record(two_deliveries) -> None:
    url, _ = two_deliveries
    rows = _query(url, "select account_id, is_current, ended_at from staging.stg_crm__accounts order by 1")
    assert rows == [("A-1", True, None), ("A-2", True, None), ("A-3", True, None)]
    assert _customers(url)["accounts:A-3"][0] is True
