"""The five classes of identity errors (issue 6), each on records written by hand the way Dutch CRM,
finance, e-mail and helpdesk exports deliver them (after staging: folded names, cleaned contact details),
run through the real linkage; each asserts the exact parties expected."""

from __future__ import annotations

import pytest

from ml.config import load_settings
from ml.linkage import resolve
from tests.ml.factories import background, party_frame
from tests.ml.factories import clusters as _clusters
from tests.ml.factories import party_record as rec


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def test_people_at_an_organisation_private_work_and_no_contact_details(settings):
    frame = party_frame(
        rec(
            "crm:accounts",
            "ACC-7",
            kind="organisation",
            organisation_name="bakkerij van dam",
            kvk_number="30123456",
            email="info@bakkerijvandam.nl",
            postcode="3511AB",
            house_number="4",
        ),
        rec(
            "crm:contacts",
            "CON-71",
            first_name="sanne",
            last_name="visser",
            email="s.visser@bakkerijvandam.nl",
            phone="+31302345678",
            organisation_name="bakkerij van dam",
            organisation_record_key="crm:accounts:ACC-7",
        ),
        # the newsletter: company field filled in, private address
        rec(
            "marketing:subscribers",
            "SUB-71",
            first_name="sanne",
            last_name="visser",
            organisation_name="bakkerij van dam",
            email="sannev1984@gmail.com",
        ),
        # helpdesk: name and company only
        rec(
            "service:requesters", "REQ-71", first_name="sanne", last_name="visser", organisation_name="bakkerij van dam"
        ),
        # a colleague with the same surname: another person at the same organisation
        rec(
            "crm:contacts",
            "CON-72",
            first_name="pieter",
            last_name="visser",
            email="p.visser@bakkerijvandam.nl",
            organisation_name="bakkerij van dam",
            organisation_record_key="crm:accounts:ACC-7",
        ),
        # a namesake elsewhere, no company: not her
        rec(
            "marketing:subscribers",
            "SUB-72",
            first_name="sanne",
            last_name="visser",
            email="svisser@hotmail.com",
            postcode="9711AA",
        ),
    )
    assert _clusters(frame, settings) == {
        frozenset({"ACC-7"}),
        frozenset({"CON-71", "SUB-71", "REQ-71"}),
        frozenset({"CON-72"}),
        frozenset({"SUB-72"}),
    }
    customers = _clusters(frame, settings, "customer")
    assert frozenset({"ACC-7", "CON-71", "SUB-71", "REQ-71", "CON-72"}) in customers


def test_one_organisation_several_mailboxes_kvk_on_one_side_only(settings):
    frame = party_frame(
        rec(
            "crm:accounts",
            "ACC-8",
            kind="organisation",
            organisation_name="installatiebedrijf hoekstra",
            legal_form="bv",
            kvk_number="41234567",
            email="info@hoekstra-installatie.nl",
            postcode="8911CD",
            house_number="21",
        ),
        rec(
            "finance:debtors",
            "100801",
            kind="organisation",
            organisation_name="installatiebedrijf hoekstra",
            email="facturen@hoekstra-installatie.nl",
            postcode="8911CD",
            house_number="21",
            iban="NL20INGB0001234567",
        ),
        rec(
            "finance:debtors",
            "100802",
            kind="organisation",
            organisation_name="installatiebedrijf hoekstra",
            email="crediteuren@hoekstra-installatie.nl",
            iban="NL20INGB0001234567",
        ),
        # another firm in the same building, registered under its own KvK number
        rec(
            "crm:accounts",
            "ACC-9",
            kind="organisation",
            organisation_name="drukkerij de hoek",
            kvk_number="41999999",
            email="administratie@drukkerijdehoek.nl",
            postcode="8911CD",
            house_number="21",
        ),
    )
    assert _clusters(frame, settings) == {frozenset({"ACC-8", "100801", "100802"}), frozenset({"ACC-9"})}


def test_people_who_moved_keep_their_email_and_phone(settings):
    frame = party_frame(
        rec(
            "crm:contacts",
            "CON-91",
            first_name="johannes",
            infix="de",
            last_name="vries",
            email="jan.devries@ziggo.nl",
            phone="+31612345678",
            postcode="1011AB",
            house_number="10",
        ),
        # finance has the new address
        rec(
            "finance:debtors",
            "100901",
            first_name="jan",
            infix="de",
            last_name="vries",
            email="jan.devries@ziggo.nl",
            phone="+31612345678",
            postcode="2512CD",
            house_number="77",
            iban="NL91ABNA0417164300",
        ),
        rec(
            "marketing:subscribers",
            "SUB-91",
            first_name="jan",
            last_name="vries",
            email="jan.devries@ziggo.nl",
            postcode="2512CD",
        ),
        # the new neighbour at the old address: same surname, different person
        rec(
            "crm:contacts",
            "CON-92",
            first_name="klaas",
            infix="de",
            last_name="vries",
            email="klaasdv@gmail.com",
            phone="+31687654321",
            postcode="1011AB",
            house_number="10",
        ),
    )
    assert _clusters(frame, settings) == {frozenset({"CON-91", "100901", "SUB-91"}), frozenset({"CON-92"})}


def test_typos_and_sparse_debtors(settings):
    frame = party_frame(
        rec(
            "crm:contacts",
            "CON-11",
            first_name="pieter",
            last_name="broekhoven",
            email="p.broekhoven@kpnmail.nl",
            phone="+31651112233",
            postcode="5611AB",
            house_number="3",
        ),
        # typo in the surname, same e-mail
        rec(
            "service:requesters",
            "REQ-11",
            first_name="pieter",
            last_name="broekhhoven",
            email="p.broekhoven@kpnmail.nl",
        ),
        # 'Broekhoven, P.': surname and initial only, with the address
        rec(
            "finance:debtors",
            "101101",
            first_name="p",
            last_name="broekhoven",
            postcode="5611AB",
            house_number="3",
            iban="NL44RABO0123456789",
        ),
        # organisation name typo 'Vos Zb' for 'Vos Zn', same KvK-less debtor at the account's address
        rec(
            "crm:accounts",
            "ACC-12",
            kind="organisation",
            organisation_name="vos zn",
            kvk_number="50111222",
            email="info@voszn.nl",
            postcode="7511EF",
            house_number="9",
        ),
        rec(
            "finance:debtors",
            "101201",
            kind="organisation",
            organisation_name="vos zb",
            postcode="7511EF",
            house_number="9",
            email="facturen@voszn.nl",
        ),
    )
    assert _clusters(frame, settings) == {
        frozenset({"CON-11", "REQ-11", "101101"}),
        frozenset({"ACC-12", "101201"}),
    }


def test_households_are_not_merged_and_a_bridge_cannot_chain(settings):
    address = {"postcode": "3581KL", "house_number": "12"}
    frame = party_frame(
        rec(
            "crm:contacts",
            "CON-21",
            first_name="jan",
            last_name="jansen",
            birth_date="1968-03-02",
            email="jan.jansen@gmail.com",
            phone="+31611111111",
            **address,
        ),
        rec(
            "finance:debtors",
            "102101",
            first_name="j",
            last_name="jansen",
            iban="NL11INGB0000000001",
            email="jan.jansen@gmail.com",
            **address,
        ),
        rec(
            "crm:contacts",
            "CON-22",
            first_name="ria",
            last_name="jansen",
            birth_date="1970-11-23",
            email="ria.jansen@hotmail.com",
            phone="+31622222222",
            **address,
        ),
        rec(
            "finance:debtors",
            "102102",
            first_name="r",
            last_name="jansen",
            iban="NL22INGB0000000002",
            email="ria.jansen@hotmail.com",
            **address,
        ),
        # their son: same surname and address, own first name and birth date
        rec(
            "marketing:subscribers",
            "SUB-23",
            first_name="daan",
            last_name="jansen",
            email="daanj2004@gmail.com",
            postcode="3581KL",
        ),
        # the bridge: only a surname and the family mailbox, at the address
        rec(
            "service:requesters",
            "REQ-20",
            last_name="jansen",
            email="fam.jansen@kpnmail.nl",
            phone="+31301234567",
            **address,
        ),
    )
    clusters = _clusters(frame, settings)
    people = [c - {"REQ-20"} for c in clusters if c - {"REQ-20"}]
    assert sorted(people, key=sorted) == sorted(
        [frozenset({"CON-21", "102101"}), frozenset({"CON-22", "102102"}), frozenset({"SUB-23"})], key=sorted
    )
    assert sum("REQ-20" in c for c in clusters) == 1


def test_a_mistyped_birth_date_is_outweighed_by_name_email_and_account_but_not_by_a_shared_home(settings):
    """Class 4 (typos) against class 5 (households): the same full name with the same personal e-mail
    and mobile is one person whatever the birth date says; a father and son of one name at one address
    with one landline are two."""
    frame = party_frame(
        rec(
            "crm:contacts",
            "CON-41",
            first_name="pieter",
            last_name="bakker",
            email="pieter.bakker@kpnmail.nl",
            phone="+31612345678",
            postcode="3511AB",
            house_number="4",
            birth_date="1971-03-12",
        ),
        rec(
            "finance:debtors",
            "104100",
            first_name="pieter",
            last_name="bakker",
            email="pieter.bakker@kpnmail.nl",
            phone="+31612345678",
            iban="NL91ABNA0417164300",
            birth_date="1917-12-03",  # typed over, more than one digit and not a day/month swap
        ),
        rec(
            "crm:contacts",
            "CON-42",
            first_name="gerrit",
            last_name="mulder",
            phone="+31302345678",
            postcode="3511AB",
            house_number="9",
            birth_date="1950-06-01",
        ),
        rec(
            "service:requesters",
            "R-42",
            first_name="gerrit",
            last_name="mulder",
            phone="+31302345678",
            postcode="3511AB",
            house_number="9",
            birth_date="1981-09-23",
        ),
    )
    assert _clusters(frame, settings) == {
        frozenset({"CON-41", "104100"}),
        frozenset({"CON-42"}),
        frozenset({"R-42"}),
    }


def test_a_personal_identifier_outweighs_a_garbled_first_name_an_iban_does_not(settings):
    """A number that belongs to one person (FEBRL's soc_sec_id, a loyalty card) joins records whose
    first names disagree ('jsk', a garbled 'jack'); the same on an IBAN, which spouses share, does not."""
    rows = [
        rec("a:records", "1", first_name="jsk", last_name="stanbury", postcode="4074AB", house_number="25"),
        rec("b:records", "2", first_name="jack", last_name="stanbury", postcode="4074AB", house_number="25"),
    ]
    personal = party_frame(*rows).assign(personal_id="6637214")
    assert _clusters(personal, settings) == {frozenset({"1", "2"})}
    shared_account = party_frame(*rows).assign(iban="NL91ABNA0417164300")
    assert _clusters(shared_account, settings) == {frozenset({"1"}), frozenset({"2"})}


def test_a_person_with_the_organisations_mail_domain_joins_its_customer(settings):
    """Class 1 at customer level: a helpdesk requester writing from the organisation's domain (no
    company field, no CRM link) belongs to the organisation's customer; a gmail user does not."""
    frame = party_frame(
        rec(
            "finance:debtors",
            "105001",
            kind="organisation",
            organisation_name="teltelkebela",
            kvk_number="30999888",
            email="facturen@teltelkebela.nl",
            postcode="3511AB",
            house_number="4",
        ),
        rec(
            "service:requesters",
            "R-51",
            first_name="anouk",
            infix="van den",
            last_name="berg",
            email="anouk.vandenberg@teltelkebela.nl",
        ),
        rec("service:requesters", "R-52", first_name="bram", last_name="kok", email="bramkok@gmail.com"),
    )
    assert _clusters(frame, settings, "customer") == {frozenset({"105001", "R-51"}), frozenset({"R-52"})}


def test_a_person_at_the_domain_of_the_accounts_website_joins_its_customer(settings):
    """Class 1 at customer level: a CRM account without an e-mail whose website is dtb-print.nl (dbt's
    website_domain) is the organisation the helpdesk requester p.jansen@dtb-print.nl works at, though the
    domain does not spell its name; a domain two organisations give as their website (a holding's site)
    links neither's customer."""
    frame = party_frame(
        rec(
            "crm:accounts",
            "ACC-71",
            kind="organisation",
            organisation_name="drukkerij ten boomken",
            kvk_number="62072746",
            website_domain="dtb-print.nl",
            postcode="7438CR",
            house_number="115",
        ),
        rec("service:requesters", "R-71", first_name="pieter", last_name="jansen", email="p.jansen@dtb-print.nl"),
        rec(
            "crm:accounts",
            "ACC-72",
            kind="organisation",
            organisation_name="noord installatietechniek",
            kvk_number="30111222",
            website_domain="groepnoord.nl",
            postcode="9723HA",
            house_number="4",
        ),
        rec(
            "crm:accounts",
            "ACC-73",
            kind="organisation",
            organisation_name="noord elektro",
            kvk_number="30333444",
            website_domain="groepnoord.nl",
            postcode="9351PK",
            house_number="12",
        ),
        rec("service:requesters", "R-72", first_name="sanne", last_name="smit", email="sanne.smit@groepnoord.nl"),
    )
    assert _clusters(frame, settings, "customer") == {
        frozenset({"ACC-71", "R-71"}),
        frozenset({"ACC-72"}),
        frozenset({"ACC-73"}),
        frozenset({"R-72"}),
    }


def test_the_same_mailbox_name_at_another_provider_links_a_nameless_subscriber(settings):
    """Class 4 (sparse records): a newsletter sign-up with a first name, 'ykoning1979@hetnet.nl' and a
    postcode is the debtor who pays as ykoning1979@outlook.com; a plain 'koning@...' mailbox name is too common to
    say so."""
    frame = party_frame(
        rec(
            "finance:debtors",
            "106001",
            first_name="yara",
            last_name="koning",
            email="ykoning1979@outlook.com",
            postcode="3060KS",
            house_number="8",
            iban="NL20INGB0001234567",
        ),
        rec("marketing:subscribers", "SUB-61", first_name="yara", email="ykoning1979@hetnet.nl", postcode="3060KS"),
        rec("marketing:subscribers", "SUB-62", first_name="yara", email="koning@ziggo.nl", postcode="3060KS"),
    )
    assert _clusters(frame, settings) == {frozenset({"106001", "SUB-61"}), frozenset({"SUB-62"})}


def test_a_subscriber_with_only_a_mailbox_and_a_postcode_and_one_with_a_first_name_at_the_company(settings):
    """Class 4 (sparse) and class 1: the name a mailbox spells, and a first name within the organisation."""
    frame = party_frame(
        *background(),
        rec("crm:accounts", "ACC-31", kind="organisation", organisation_name="marstostobel dental"),
        rec(
            "crm:contacts",
            "CON-31",
            first_name="noor",
            last_name="kuipers",
            email="noor.kuipers@marstostobel.nl",
            postcode="9717JJ",
            house_number="4",
            organisation_record_key="crm:accounts:ACC-31",
        ),
        # only an e-mail ('nkuipers...': initial and surname) and the postcode
        rec("marketing:subscribers", "S-31", email="nkuipers412131@icloud.com", postcode="9717JJ"),
        rec(
            "crm:contacts",
            "CON-32",
            first_name="jesse",
            last_name="bakker",
            phone="+31735950470",
            organisation_record_key="crm:accounts:ACC-31",
        ),
        # a first name and the company only (a helpdesk requester)
        rec("service:requesters", "S-32", first_name="jesse", organisation_name="Marstostobel Dental"),
        # a colleague with another first name stays apart
        rec("marketing:subscribers", "S-33", first_name="daan", organisation_name="Marstostobel Dental"),
    )
    clusters = {c for c in _clusters(frame, settings) if not any(k.startswith("BG") for k in c)}
    assert clusters == {
        frozenset({"ACC-31"}),
        frozenset({"CON-31", "S-31"}),
        frozenset({"CON-32", "S-32"}),
        frozenset({"S-33"}),
    }


def test_a_name_alone_is_as_likely_as_its_rarity_and_a_common_one_leaves_the_review_band(settings):
    """Name-only pairs get the chance that the name means one person, from how often the records carry
    it: 20 of 62 records named jan jansen -> below identity_review_lower; one pair of a rare name -> in the band."""
    rows = [
        rec("crm:contacts", f"J{i}", first_name="jan", last_name="jansen", postcode=f"{1000 + i}AA") for i in range(20)
    ]
    rows += [rec("crm:contacts", f"X{i}", first_name=f"piet{chr(97 + i)}", last_name=f"bos{i}") for i in range(40)]
    rows += [
        rec("crm:contacts", "R1", first_name="ids", last_name="broekhoven", postcode="5611AB"),
        rec("marketing:subscribers", "R2", first_name="ids", last_name="broekhoven", email="ids@x.nl"),
    ]
    result = resolve(party_frame(*rows), settings=settings)
    pairs = result.pairs.set_index(["record_key_l", "record_key_r"])["match_probability"]
    common = pairs.loc[("crm:contacts:J0", "crm:contacts:J1")]
    rare = pairs.loc[("crm:contacts:R1", "marketing:subscribers:R2")]
    assert common < settings.identity_review_lower <= rare <= settings.linkage_name_only_max_probability
    assert not result.pairs["is_match"].any()


def test_a_work_domain_that_spells_the_company_name_joins_its_customer(settings):
    """Class 1 at customer level: the organisation's own records carry no e-mail, but the contact's
    domain spells its name ('fatratrakax.nl', 'Fatratrakax Bakery'); a domain spelling two companies'
    names ('bakkerij.nl') links to neither."""
    frame = party_frame(
        rec(
            "finance:debtors",
            "107001",
            kind="organisation",
            organisation_name="Fatratrakax Bakery",
            kvk_number="79258138",
            postcode="1088KJ",
            house_number="2",
        ),
        rec("finance:debtors", "107002", kind="organisation", organisation_name="Bakkerij Jansen", kvk_number="111"),
        rec("finance:debtors", "107003", kind="organisation", organisation_name="Bakkerij Smit", kvk_number="222"),
        rec("crm:contacts", "CON-71", first_name="maria", last_name="kok", email="m.kok@fatratrakax.nl"),
        rec("crm:contacts", "CON-72", first_name="bram", last_name="dekker", email="bram@bakkerij.nl"),
    )
    assert _clusters(frame, settings, "customer") == {
        frozenset({"107001", "CON-71"}),
        frozenset({"107002"}),
        frozenset({"107003"}),
        frozenset({"CON-72"}),
    }


def test_the_same_personal_mailbox_outweighs_another_surname_but_not_another_first_name(settings):
    """Class 3: the same personal e-mail with the same first name is one person whose surname changed
    (married name) or is spelt otherwise, whatever the address; the same mailbox with the same phone
    links a debtor known by an initial only. Her husband writing in from her mailbox has another first
    name and stays apart."""
    frame = party_frame(
        rec(
            "crm:contacts",
            "CON-81",
            first_name="anna",
            last_name="bakker",
            email="anna.bakker@ziggo.nl",
            phone="+31612340081",
            postcode="1011AB",
            house_number="10",
        ),
        # finance knows her by her married name at her new address
        rec(
            "finance:debtors",
            "108101",
            first_name="anna",
            last_name="smit",
            email="anna.bakker@ziggo.nl",
            postcode="2512CD",
            house_number="77",
            iban="NL91ABNA0417164381",
        ),
        # helpdesk: initial and a garbled surname, same mailbox and phone
        rec(
            "service:requesters",
            "REQ-81",
            first_initials="a",
            last_name="bkkr",
            email="anna.bakker@ziggo.nl",
            phone="+31612340081",
        ),
        rec(
            "service:requesters",
            "REQ-82",
            first_name="pieter",
            last_name="smit",
            email="anna.bakker@ziggo.nl",
            postcode="2512CD",
        ),
        *background(),
    )
    clusters = _clusters(frame, settings)
    assert frozenset({"CON-81", "108101", "REQ-81"}) in clusters
    assert frozenset({"REQ-82"}) in clusters


def test_contacts_of_an_account_not_yet_known_share_one_customer(settings):
    """CRM contacts whose account is not among the records (its only version was updated after the
    as-of date) are one paying relationship: they share one organisation customer, the one their
    company field points to where an organisation party (the account's debtor) exists."""
    frame = party_frame(
        rec("crm:contacts", "CON-31", first_name="ruud", last_name="smits", organisation_record_key="crm:accounts:A-3"),
        rec(
            "crm:contacts", "CON-32", first_name="ilse", last_name="brouwer", organisation_record_key="crm:accounts:A-3"
        ),
        rec(
            "crm:contacts",
            "CON-41",
            first_name="noor",
            last_name="haddou",
            organisation_name="drukkerij haddou",
            organisation_record_key="crm:accounts:A-4",
        ),
        rec("crm:contacts", "CON-42", first_name="tim", last_name="vos", organisation_record_key="crm:accounts:A-4"),
        rec(
            "finance:debtors",
            "104001",
            kind="organisation",
            organisation_name="drukkerij haddou",
            postcode="9746ZW",
            house_number="8",
        ),
        *background(),
    )
    customers = _clusters(frame, settings, "customer")
    assert frozenset({"CON-31", "CON-32"}) in customers
    assert frozenset({"CON-41", "CON-42", "104001"}) in customers
    out = resolve(frame, settings=settings).records.set_index("record_key")
    assert out.loc["crm:contacts:CON-31", "customer_type"] == "organisation"


def test_a_helpdesk_requester_writing_from_the_organisations_role_mailbox_is_the_organisation(settings):
    """Class 2: 'Metaalbewerking van der Berg' at facturen@metaalbewerkingvanderberg.nl, typed an
    organisation by dbt (int_party_records, unit test int_party_records_role_mailbox_requesters_are_
    organisations), joins its organisation's party; an employee writing from info@ with a person's
    name stays a person (in the organisation's customer)."""
    frame = party_frame(
        rec(
            "finance:debtors",
            "105001",
            kind="organisation",
            organisation_name="metaalbewerking van der berg b v",
            display_name="Metaalbewerking van der Berg B.V.",
            email="administratie@metaalbewerkingvanderberg.nl",
            phone="+31408469160",
            postcode="5611AB",
            house_number="12",
            kvk_number="17123456",
        ),
        rec(
            "service:requesters",
            "REQ-51",
            kind="organisation",
            organisation_name="metaalbewerking van der berg",
            full_name="metaalbewerking van der berg",
            display_name="Metaalbewerking van der Berg",
            email="facturen@metaalbewerkingvanderberg.nl",
            email_is_role=True,
            phone="+31408469160",
        ),
        rec(
            "service:requesters",
            "REQ-52",
            first_name="sanne",
            last_name="berg",
            infix="van den",
            display_name="Sanne van den Berg",
            email="info@metaalbewerkingvanderberg.nl",
            email_is_role=True,
        ),
        *background(),
    )
    parties = _clusters(frame, settings)
    assert frozenset({"105001", "REQ-51"}) in parties
    assert frozenset({"REQ-52"}) in parties
    assert frozenset({"105001", "REQ-51", "REQ-52"}) in _clusters(frame, settings, "customer")
