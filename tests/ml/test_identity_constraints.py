"""Cluster constraints against household false merges (issue 6, class 5), on hand-written records the
way Dutch finance, CRM, newsletter and helpdesk exports deliver them (after staging)."""

from __future__ import annotations

import pandas as pd
import pytest

from ml.config import load_settings
from ml.linkage.block import ORGANISATION_PASSES, candidate_pairs
from ml.linkage.cluster import cluster_records
from ml.linkage.compare import ORGANISATION_FIELDS, house_level
from ml.linkage.score import apply_rules
from ml.linkage.standardise import prepare_records
from tests.ml.factories import clusters as _clusters
from tests.ml.factories import party_frame
from tests.ml.factories import party_record as rec


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def _linked(frame: pd.DataFrame, links: list[tuple[str, str, float]]) -> set[frozenset[str]]:
    """Clusters from the given links (the model's probabilities), through the cluster constraints."""
    records = prepare_records(frame)
    pairs = pd.DataFrame(
        [(f"{a}", f"{b}", p) for a, b, p in links], columns=["record_key_l", "record_key_r", "match_probability"]
    )
    out = cluster_records(records.index, pairs, 0.9, records=records, exclusive=("birth_date_key",))
    ids = out["record_key"].str.split(":").str[-1]
    return {frozenset(g) for g in ids.groupby(out["cluster"].to_numpy()).agg(set)}


def test_a_surname_only_debtor_paying_from_another_account_is_another_household_member():
    """Two debtors at one address: 'Visser' (no first name) pays from one account, 'Henk Visser' from
    another. The surname and the address say 'same household', the accounts say 'two people'; a third
    record without a first name but with Henk's account is Henk, and cannot bring the other in."""
    home = {"postcode": "7311AB", "house_number": "4"}
    frame = party_frame(
        rec("finance:debtors", "104001", first_name="henk", last_name="visser", iban="NL40RABO0000000040", **home),
        rec("finance:debtors", "104002", last_name="visser", iban="NL41INGB0000000041", **home),
        rec("marketing:subscribers", "SUB-41", last_name="visser", email="fam.visser@ziggo.nl", **home),
        rec("finance:debtors", "104003", last_name="visser", iban="NL40RABO0000000040", **home),
    )
    key = dict(zip(frame["source_record_id"], frame["record_key"], strict=True))
    links = [
        (key["104001"], key["104002"], 0.97),  # surname and full address only
        (key["104002"], key["SUB-41"], 0.96),  # the family mailbox at the address
        (key["104001"], key["104003"], 0.99),
        (key["104003"], key["SUB-41"], 0.95),
    ]
    assert _linked(frame, links) == {frozenset({"104001", "104003"}), frozenset({"104002", "SUB-41"})}


def test_a_surname_only_debtor_paying_from_the_same_account_joins(settings):
    """The same debtor without a first name, paying from Henk's account: Henk."""
    home = {"postcode": "7311AB", "house_number": "4"}
    frame = party_frame(
        rec(
            "finance:debtors",
            "104001",
            first_name="henk",
            last_name="visser",
            iban="NL40RABO0000000040",
            **home,
        ),
        rec("finance:debtors", "104003", last_name="visser", iban="NL40RABO0000000040", **home),
    )
    assert _clusters(frame, settings) == {frozenset({"104001", "104003"})}


def test_a_family_mailbox_without_a_separator_is_not_a_personal_mailbox():
    """'famdejong78@gmail.com' is the household's, like 'fam.dejong@'; 'famke.dejong@' is Famke's."""
    frame = party_frame(
        rec(
            "finance:debtors", "105001", first_name="iris", last_name="jong", infix="de", email="famdejong78@gmail.com"
        ),
        rec("marketing:subscribers", "SUB-51", last_name="jong", infix="de", email="famdejong78@gmail.com"),
        rec("marketing:subscribers", "SUB-52", first_name="famke", last_name="jong", email="famke.dejong@ziggo.nl"),
        rec("crm:contacts", "CON-53", first_name="rik", last_name="vries", email="familievries@kpnmail.nl"),
    )
    keys = prepare_records(frame).set_index("source_record_id")["email_key"]
    assert keys.isna().to_dict() == {"105001": True, "SUB-51": True, "SUB-52": False, "CON-53": True}


def test_a_company_name_a_typo_apart_at_the_same_mail_domain_is_not_a_name_only_match():
    """Class 2: 'De Jong & Zn.' mailing from facturen@ and 'De Joong & Zn.' from info@ at the company's
    own domain are one organisation's mailboxes: the name-only cap does not hold them apart; a close name
    at another domain, or the same domain under another KvK number, stays capped."""
    levels = pd.DataFrame(
        [
            # name, kvk, vat, iban, email, phone, address, email_domain, house_number
            (2, -1, -1, -1, 0, -1, -1, 1, -1),
            (2, -1, -1, -1, 0, -1, -1, 0, -1),
            (2, 0, -1, -1, 0, -1, -1, 1, -1),
        ],
        columns=[f.name for f in ORGANISATION_FIELDS],
    )
    proba = pd.Series([0.97, 0.97, 0.97])
    out = apply_rules(proba, levels, ORGANISATION_FIELDS, "organisation")
    assert out.round(2).tolist() == [0.97, 0.5, 0.05]


def test_a_requester_without_a_company_name_meets_and_joins_the_organisation_of_its_own_mail_domain():
    """Class 2: a helpdesk requester writing from contact@ at the firm's own domain, with no company
    field, is a candidate for the account mailing from info@ there, and is not held apart as a
    name-only match; a company name that differs keeps the cap."""
    frame = party_frame(
        rec(
            "crm:accounts",
            "ACC-71",
            kind="organisation",
            organisation_name="kwekerij schipper",
            email="info@kwekerijschipper.nl",
        ),
        rec("service:requesters", "REQ-71", kind="organisation", email="contact@kwekerijschipper.nl"),
        rec("service:requesters", "REQ-72", kind="organisation", email="contact@gmail.com"),
    )
    records = prepare_records(frame)
    pairs, _ = candidate_pairs(records, ORGANISATION_PASSES)
    ids = {frozenset(k.split(":")[-1] for k in pair) for pair in pairs}
    assert frozenset({"ACC-71", "REQ-71"}) in ids and frozenset({"REQ-71", "REQ-72"}) not in ids
    levels = pd.DataFrame(
        [(-1, -1, -1, -1, 0, -1, -1, 1, -1), (0, -1, -1, -1, 0, -1, -1, 1, -1)],
        columns=[f.name for f in ORGANISATION_FIELDS],
    )
    out = apply_rules(pd.Series([0.97, 0.97]), levels, ORGANISATION_FIELDS, "organisation")
    assert out.round(2).tolist() == [0.97, 0.5]


def test_the_house_number_counts_for_organisations_when_a_side_lacks_the_postcode():
    """An account typed without a postcode ('Accountantskantoor Van 't Houtkes', nr 52) and the debtor
    at 3825AL 52: the same number is evidence; another number is evidence against; with both postcodes
    the address field compares them and this level stays missing."""
    frame = party_frame(
        rec(
            "crm:accounts",
            "ACC-81",
            kind="organisation",
            organisation_name="accountantskantoor van t houtkes",
            house_number="52",
        ),
        rec(
            "finance:debtors",
            "108101",
            kind="organisation",
            organisation_name="accountantskantoor van t houtkes",
            postcode="3825AL",
            house_number="52",
        ),
        rec(
            "finance:debtors",
            "108102",
            kind="organisation",
            organisation_name="accountantskantoor van t houtkes",
            postcode="3825AL",
            house_number="7",
        ),
    )
    records = prepare_records(frame)
    key = dict(zip(frame["source_record_id"], frame["record_key"], strict=True))
    pairs = pd.MultiIndex.from_tuples(
        [(key["ACC-81"], key["108101"]), (key["ACC-81"], key["108102"]), (key["108101"], key["108102"])]
    )
    assert house_level(pairs, records).tolist() == [1, 0, -1]


def test_an_exact_company_name_with_nothing_against_it_links_at_even_odds():
    """An account and a debtor 'Kwekerij Schipper' typed with different details missing: nothing else
    can be compared, so a name not common enough to fall below even odds decides; another phone number,
    or a common name (below even odds after the frequency adjustment), does not."""
    levels = pd.DataFrame(
        [
            (3, -1, -1, -1, -1, -1, -1, -1, -1),
            (3, -1, -1, -1, -1, 0, -1, -1, -1),
            (3, -1, -1, -1, -1, -1, 1, -1, -1),
            (3, -1, -1, -1, -1, -1, -1, -1, -1),
            (2, -1, -1, -1, -1, -1, 3, -1, -1),  # a typo apart, at the same postcode and number
            (2, -1, -1, -1, -1, -1, -1, -1, -1),  # a typo apart and nothing else: still a name only
        ],
        columns=[f.name for f in ORGANISATION_FIELDS],
    )
    out = apply_rules(pd.Series([0.6, 0.6, 0.6, 0.3, 0.6, 0.6]), levels, ORGANISATION_FIELDS, "organisation")
    assert out.round(2).tolist() == [0.95, 0.6, 0.6, 0.3, 0.95, 0.5]


def test_a_record_without_a_surname_cannot_bridge_two_colleagues_of_one_first_name():
    """'Bas' at Timmerbedrijf Ten Beekmans (a helpdesk requester with a private mailbox) is Bas de Vries by
    that mailbox; it cannot also pull in Bas Wolters, his colleague, on the first name at the company.
    A married name on one personal mailbox (both records carry a surname) still joins."""
    org = {"organisation_name": "ten beekmans timmerbedrijf"}
    frame = party_frame(
        rec(
            "crm:contacts", "CON-91", first_name="bas", last_name="vries", infix="de", email="bas42@hotmail.com", **org
        ),
        rec("service:requesters", "REQ-91", first_name="bas", email="bas42@hotmail.com", **org),
        rec("crm:contacts", "CON-92", first_name="bas", last_name="wolters", email="bas@tenbeekmans.nl", **org),
        rec("crm:contacts", "CON-93", first_name="anna", last_name="kok", email="anna.brule@ziggo.nl"),
        rec("marketing:subscribers", "SUB-93", first_name="anna", last_name="brule", email="anna.brule@ziggo.nl"),
    )
    key = dict(zip(frame["source_record_id"], frame["record_key"], strict=True))
    links = [
        (key["CON-91"], key["REQ-91"], 0.99),
        (key["REQ-91"], key["CON-92"], 0.95),  # the first name at the company
        (key["CON-93"], key["SUB-93"], 0.97),  # the same personal mailbox, another surname
    ]
    assert _linked(frame, links) == {
        frozenset({"CON-91", "REQ-91"}),
        frozenset({"CON-92"}),
        frozenset({"CON-93", "SUB-93"}),
    }
