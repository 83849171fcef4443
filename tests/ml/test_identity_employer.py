"""People at an organisation at party level (issue 6, class 1): one person's CRM contact, newsletter sign-up and
helpdesk call, each naming the employer its own way, are one party. Organisations are resolved first; each
person record's links (account, company field, work mail domain) point to an employer, and the same full name
at the same employer is one person. Records written by hand the way Dutch exports deliver them (after staging)."""

from __future__ import annotations

import pytest

from ml.config import load_settings
from ml.linkage.customers import record_employers
from ml.linkage.standardise import prepare_records
from tests.ml.factories import background, clusters, party_frame
from tests.ml.factories import party_record as rec


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def _people_at_hoogendoorn() -> list[dict[str, object]]:
    return [
        rec("crm:accounts", "A-1", kind="organisation", organisation_name="hoogendoorn & zn", kvk_number="30111222"),
        rec("finance:debtors", "D-2", kind="organisation", organisation_name="bakkerij de graaf", kvk_number="3099988"),
        # the contact writes from work; the account names the company
        rec(
            "crm:contacts",
            "C-1",
            first_name="ilse",
            last_name="brandsma",
            email="ilse.brandsma@hoogendoorn-bouw.nl",
            phone="+31612345678",
            organisation_record_key="crm:accounts:A-1",
        ),
        # her newsletter sign-up: private mailbox, the company spelt out ('en Zonen' for '& Zn.')
        rec(
            "marketing:subscribers",
            "S-1",
            first_name="ilse",
            last_name="brandsma",
            email="ilsebrandsma77@gmail.com",
            organisation_name="hoogendoorn en zonen",
        ),
        # her helpdesk call: no mailbox, the company with a slip
        rec("service:requesters", "R-1", first_name="ilse", last_name="brandsma", organisation_name="hoogendorn & zn"),
        # a namesake at another company, and one who names no company at all
        rec(
            "marketing:subscribers",
            "S-2",
            first_name="ilse",
            last_name="brandsma",
            email="ilse.b@hotmail.com",
            organisation_name="bakkerij de graaf",
        ),
        rec("marketing:subscribers", "S-3", first_name="ilse", last_name="brandsma", email="brandsma.i@ziggo.nl"),
    ]


def test_a_person_record_points_to_the_organisation_its_links_name():
    """The account link, a company field written another way and one with a slip all point to one
    organisation party; a record naming no company has no employer."""
    records = prepare_records(party_frame(*_people_at_hoogendoorn()))
    org_party = {"crm:accounts:A-1": "o1", "finance:debtors:D-2": "o2"}
    orgs = records.index[records["party_kind"].eq("organisation")]
    employer = record_employers(records, records.loc[orgs, "record_key"].map(org_party))
    assert employer.to_dict() == {
        "crm:contacts:C-1": "o1",
        "marketing:subscribers:S-1": "o1",
        "service:requesters:R-1": "o1",
        "marketing:subscribers:S-2": "o2",
    }


def test_the_same_full_name_at_the_same_employer_is_one_person(settings):
    """Ilse Brandsma's contact, sign-up and helpdesk call share no mailbox or phone, only her name and her
    employer, each named differently: one party. The Ilse Brandsma at the bakery and the one naming no
    company stay apart (a name alone is not enough)."""
    frame = party_frame(*_people_at_hoogendoorn(), *background())
    groups = {g for g in clusters(frame, settings) if not any(k.startswith("BG-") for k in g)}
    assert groups == {
        frozenset({"A-1"}),
        frozenset({"D-2"}),
        frozenset({"C-1", "S-1", "R-1"}),
        frozenset({"S-2"}),
        frozenset({"S-3"}),
    }
