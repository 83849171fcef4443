"""People at an organisation at customer level (issue 6, class 1): the evidence that puts a person record into
its organisation's paying relationship, on records written by hand the way Dutch CRM, finance, mailing and
helpdesk exports deliver them (after staging), and the guards that keep look-alikes out."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ml.config import load_settings
from ml.linkage.customers import assign_customers, company_key
from ml.linkage.standardise import SEEDS_DIR, prepare_records
from tests.ml.factories import clusters, party_frame
from tests.ml.factories import party_record as rec


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def test_company_key_reads_ampersand_and_abbreviations_alike():
    """Names as dbt's organisation_name leaves them (folded, legal forms gone: 'Hoogendoorn & Zn. B.V.' ->
    'hoogendoorn & zn')."""
    assert company_key("hoogendoorn & zn") == company_key("hoogendoorn en zonen") == "hoogendoorn zonen"
    assert company_key("gebr de vries") == company_key("gebroeders de vries") == "gebroeders de vries"
    assert company_key("bakkerij jansen") == "bakkerij jansen"
    assert company_key(None) is None


def test_a_company_field_written_another_way_or_with_a_slip_joins_the_organisation(settings):
    """'Hoogendoorn & Zn. B.V.' in the CRM is 'Hoogendoorn en Zonen' in a newsletter sign-up, and
    'Tandartsprajtijk van Leeuwen' in a helpdesk is 'Tandartspraktijk van Leeuwen'. A slip that is as close
    to two companies ('bouwbedrijf jansens': Jansen or Janssen) joins neither."""
    frame = party_frame(
        rec("crm:accounts", "A-1", kind="organisation", organisation_name="hoogendoorn & zn", kvk_number="30111222"),
        rec("crm:accounts", "A-2", kind="organisation", organisation_name="tandartspraktijk van leeuwen"),
        rec("finance:debtors", "D-3", kind="organisation", organisation_name="bouwbedrijf jansen", kvk_number="333"),
        rec("finance:debtors", "D-4", kind="organisation", organisation_name="bouwbedrijf janssen", kvk_number="444"),
        rec(
            "marketing:subscribers",
            "S-1",
            first_name="noor",
            last_name="bakker",
            email="noorbakker@gmail.com",
            organisation_name="hoogendoorn en zonen",
        ),
        rec(
            "service:requesters",
            "R-2",
            first_name="daan",
            last_name="mulder",
            email="daan.m@hotmail.com",
            organisation_name="tandartsprajtijk van leeuwen",
        ),
        rec(
            "marketing:subscribers",
            "S-3",
            first_name="fleur",
            last_name="smit",
            email="fleur.smit@ziggo.nl",
            organisation_name="bouwbedrijf jansens",
        ),
    )
    assert clusters(frame, settings, "customer") == {
        frozenset({"A-1", "S-1"}),
        frozenset({"A-2", "R-2"}),
        frozenset({"D-3"}),
        frozenset({"D-4"}),
        frozenset({"S-3"}),
    }


def test_a_work_domain_spelling_zonen_for_zn_joins_the_organisation(settings):
    """'Koster & Zn.' registers kosterenzonen.nl: a helpdesk requester writing from it belongs to that
    organisation's customer, though the organisation's own records carry no e-mail."""
    frame = party_frame(
        rec("crm:accounts", "A-7", kind="organisation", organisation_name="koster & zn", kvk_number="30777888"),
        rec("service:requesters", "R-7", first_name="sem", last_name="visser", email="sem@kosterenzonen.nl"),
        rec("service:requesters", "R-8", first_name="lotte", last_name="meijer", email="lotte@vanderkost.nl"),
    )
    assert clusters(frame, settings, "customer") == {frozenset({"A-7", "R-7"}), frozenset({"R-8"})}


def test_colleagues_mail_domain_is_the_organisations_domain(settings):
    """Drukkerij ten Boomken's own records carry no e-mail; its CRM contacts write from dtb.nl, so a
    helpdesk requester from dtb.nl (no company field) works there too. A contact's gmail address makes
    nobody else at gmail a colleague."""
    frame = party_frame(
        rec(
            "crm:accounts", "A-9", kind="organisation", organisation_name="drukkerij ten boomken", kvk_number="62072746"
        ),
        rec(
            "crm:contacts",
            "C-91",
            first_name="piet",
            last_name="eikdijk",
            email="p.eikdijk@dtb.nl",
            organisation_record_key="crm:accounts:A-9",
        ),
        rec(
            "crm:contacts",
            "C-92",
            first_name="emma",
            last_name="hamjes",
            email="emma.hamjes@gmail.com",
            organisation_record_key="crm:accounts:A-9",
        ),
        rec("service:requesters", "R-93", first_name="wim", last_name="schelga", email="wim@dtb.nl"),
        rec("service:requesters", "R-94", first_name="sara", last_name="yilmaz", email="sara.yilmaz@gmail.com"),
    )
    assert clusters(frame, settings, "customer") == {frozenset({"A-9", "C-91", "C-92", "R-93"}), frozenset({"R-94"})}


def test_a_company_name_two_organisations_bear_joins_neither_whatever_the_postcode(settings):
    """Two bakeries called Bakkerij Jansen: a subscriber naming it with a home postcode near one of them
    works at either, so stays a customer of their own; a name only one organisation bears still links."""
    frame = party_frame(
        rec(
            "finance:debtors",
            "D-11",
            kind="organisation",
            organisation_name="bakkerij jansen",
            kvk_number="111",
            postcode="3511AB",
            house_number="1",
        ),
        rec(
            "finance:debtors",
            "D-12",
            kind="organisation",
            organisation_name="bakkerij jansen",
            kvk_number="222",
            postcode="9711CD",
            house_number="2",
        ),
        rec("finance:debtors", "D-13", kind="organisation", organisation_name="bakkerij de graaf", kvk_number="333"),
        rec(
            "marketing:subscribers",
            "S-11",
            first_name="ilse",
            last_name="brouwer",
            email="ilse.brouwer@kpnmail.nl",
            postcode="3511XX",
            organisation_name="bakkerij jansen",
        ),
        rec(
            "marketing:subscribers",
            "S-13",
            first_name="tim",
            last_name="hendriks",
            email="timhendriks@gmail.com",
            postcode="3511XY",
            organisation_name="bakkerij de graaf",
        ),
    )
    assert clusters(frame, settings, "customer") == {
        frozenset({"D-11"}),
        frozenset({"D-12"}),
        frozenset({"D-13", "S-13"}),
        frozenset({"S-11"}),
    }


def _typed_as_organisation(staged_name: str) -> bool:
    """int_party_records' debtor typing on a staged name (lowercase, dots dropped): one pattern of all
    seed organisation_name_words, each a word or word ending."""
    words = pd.read_csv(SEEDS_DIR / "organisation_name_words.csv")["word"]
    return re.search(r"(^|\s)\S*(" + "|".join(words) + r")(\s|$)", staged_name) is not None


@pytest.mark.parametrize(
    ("name", "organisation"),
    [
        ("meijers & zn", True),  # 'Meijers & Zn.' in a debtor ledger is the family firm, not Mr Meijers
        ("de vries en zonen", True),
        ("gebroeders van dam", True),
        ("bloemenhuis de roos", True),
        ("metaalbewerking ten hove", True),
        ("jansen automotive", True),
        ("benedict jansen", False),
        ("j en m de vries", False),  # a joint debtor account of a couple
        ("maria van zonneveld", False),
    ],
)
def test_debtor_names_typed_as_organisation_by_seed_words(name, organisation):
    assert _typed_as_organisation(name) is organisation


def test_a_company_two_organisations_bear_is_told_apart_by_a_colleague_with_the_same_full_name():
    """Two bakeries called Bakkerij Jansen. A subscriber 'Ilse Brouwer, Bakkerij Jansen' (private mail) left a
    party of her own joins the one whose CRM contact is Ilse Brouwer; 'Tim Hendriks, Bakkerij Jansen', whom
    neither knows, stays on his own (customer assignment over given parties)."""
    frame = party_frame(
        rec("crm:accounts", "A-21", kind="organisation", organisation_name="bakkerij jansen", postcode="3511AB"),
        rec("finance:debtors", "D-22", kind="organisation", organisation_name="bakkerij jansen", postcode="9711CD"),
        rec(
            "crm:contacts",
            "C-21",
            first_name="ilse",
            last_name="brouwer",
            email="ilse@bakkerijjansen-utrecht.nl",
            organisation_name="bakkerij jansen",
            organisation_record_key="crm:accounts:A-21",
        ),
        rec(
            "marketing:subscribers",
            "S-21",
            first_name="ilse",
            last_name="brouwer",
            email="ilsebrouwer@gmail.com",
            organisation_name="bakkerij jansen",
        ),
        rec(
            "marketing:subscribers",
            "S-22",
            first_name="tim",
            last_name="hendriks",
            email="tim.hendriks@ziggo.nl",
            organisation_name="bakkerij jansen",
        ),
    )
    records = prepare_records(frame)
    party = pd.Series([f"p{i}" for i in range(len(records))], index=records.index)
    customer = assign_customers(records, party)["customer"].rename(lambda k: k.split(":")[-1])
    assert customer["S-21"] == customer["C-21"] == customer["A-21"]
    assert customer["S-22"] not in {customer["A-21"], customer["D-22"]}
    assert customer["D-22"] != customer["A-21"]


def test_an_account_and_a_debtor_of_one_name_in_one_town_pay_as_one_unless_a_detail_differs():
    """'Kampmaker Dakwerken' as a CRM account (KvK, facturen@) and as a ledger debtor in the same town without
    KvK or e-mail: one organisation, though resolved as two parties. Two 'Autobedrijf van den Heuvel' in
    Breda at different addresses with different phone numbers stay two (customer assignment over given
    parties)."""
    frame = party_frame(
        rec(
            "crm:accounts",
            "A-31",
            kind="organisation",
            organisation_name="kampmaker dakwerken",
            kvk_number="30555666",
            email="facturen@kampmakerdakwerken.nl",
            city="heerhugowaard",
        ),
        rec(
            "finance:debtors",
            "D-31",
            kind="organisation",
            organisation_name="kampmaker dakwerken",
            city="heerhugowaard",
        ),
        rec(
            "crm:accounts",
            "A-41",
            kind="organisation",
            organisation_name="autobedrijf van den heuvel",
            postcode="4834KG",
            house_number="16",
            phone="+31762220882",
            city="breda",
        ),
        rec(
            "finance:debtors",
            "D-41",
            kind="organisation",
            organisation_name="autobedrijf van den heuvel",
            postcode="4822PN",
            house_number="4",
            phone="+31767257078",
            city="breda",
        ),
    )
    records = prepare_records(frame)
    party = pd.Series([f"p{i}" for i in range(len(records))], index=records.index)
    customer = assign_customers(records, party)["customer"].rename(lambda k: k.split(":")[-1])
    assert customer["A-31"] == customer["D-31"]
    assert customer["A-41"] != customer["D-41"]


def test_a_domain_with_a_place_or_number_after_the_name_or_an_abbreviation_joins_the_organisation(settings):
    """A company registers its name again when the plain one is taken: bakkerijdegraaf-utrecht.nl and
    houthandelmulder2.nl. 'Gebroeders Pos' registers gebrpos.nl (seed company_name_words: gebr). A domain
    whose name is two organisations' (transportjansen-…, two 'Transport Jansen') joins neither."""
    frame = party_frame(
        rec("crm:accounts", "A-1", kind="organisation", organisation_name="bakkerij de graaf", kvk_number="30111"),
        rec("finance:debtors", "D-2", kind="organisation", organisation_name="houthandel mulder", kvk_number="30222"),
        rec("finance:debtors", "D-3", kind="organisation", organisation_name="gebroeders pos", kvk_number="30333"),
        rec("crm:accounts", "A-4", kind="organisation", organisation_name="transport jansen", kvk_number="30444"),
        rec("finance:debtors", "D-5", kind="organisation", organisation_name="transport jansen", kvk_number="30555"),
        rec("service:requesters", "R-1", first_name="eva", last_name="kok", email="eva@bakkerijdegraaf-utrecht.nl"),
        rec("service:requesters", "R-2", first_name="tim", last_name="bos", email="tim@houthandelmulder2.nl"),
        rec("marketing:subscribers", "S-3", first_name="joop", last_name="pos", email="joop@gebrpos.nl"),
        rec("service:requesters", "R-4", first_name="ad", last_name="ros", email="ad@transportjansen-ede.nl"),
    )
    assert clusters(frame, settings, "customer") == {
        frozenset({"A-1", "R-1"}),
        frozenset({"D-2", "R-2"}),
        frozenset({"D-3", "S-3"}),
        frozenset({"A-4"}),
        frozenset({"D-5"}),
        frozenset({"R-4"}),
    }
