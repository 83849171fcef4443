"""Typos and name formats of real Dutch exports (issue 6, class 4 and 'other'): hand-made cases."""

from __future__ import annotations

import pandas as pd
import pytest

from ml.config import load_settings
from ml.linkage.compare import INITIAL_FITS, NAME_CLOSE, NAME_SIMILAR, PERSON_FIELDS, compare_levels
from ml.linkage.score import apply_rules
from ml.linkage.standardise import called_initials, prepare_records
from tests.ml.factories import background, party_frame
from tests.ml.factories import clusters as _clusters
from tests.ml.factories import party_record as rec


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def test_a_mailbox_spelling_the_surname_is_not_read_as_a_first_name():
    frame = party_frame(
        rec("finance:debtors", "D1", last_name="jong", infix="de", email="jong588@live.nl"),
        rec("crm:contacts", "C1", first_name="eva", last_name="jong", email="eva@example.nl"),
    )
    prepared = prepare_records(frame)
    assert pd.isna(prepared.loc["finance:debtors:D1", "first_name"])
    assert prepared.loc["finance:debtors:D1", "last_name"] == "jong"


def test_a_typed_first_name_is_graded_as_typed_not_through_its_formal_name():
    # 'Jan' canonicalises to a formal name; 'Jaan' and 'Jam' are typos of what was typed
    frame = party_frame(
        rec("crm:contacts", "C1", first_name="jan", last_name="meijer", email="meijer771@icloud.com"),
        rec("service:requesters", "R1", first_name="jaan", last_name="meijer", email="meijer771@icloud.com"),
        rec("service:requesters", "R2", first_name="jam", last_name="meijer", email="meijer771@icloud.com"),
        rec("crm:contacts", "C2", first_name="sem", last_name="bos", postcode="1234AB", house_number="1"),
        rec("crm:contacts", "C3", first_name="daan", last_name="bos", postcode="1234AB", house_number="1"),
    )
    prepared = prepare_records(frame)
    pairs = pd.MultiIndex.from_tuples(
        [
            ("crm:contacts:C1", "service:requesters:R1"),
            ("crm:contacts:C1", "service:requesters:R2"),
            ("crm:contacts:C2", "crm:contacts:C3"),
        ]
    )
    first = compare_levels(pairs, prepared, PERSON_FIELDS)["first_name"].tolist()
    # brothers Sem and Daan at one address: graded as typed, they disagree
    assert first == [NAME_CLOSE, NAME_SIMILAR, 0]


def test_one_mailbox_with_a_mistyped_first_name_is_one_person(settings):
    frame = party_frame(
        *background(30),
        rec(
            "crm:contacts",
            "C1",
            first_name="jan",
            last_name="broekdijk",
            email="j.tenbroekdijk@icloud.com",
            phone="+31650543315",
            postcode="2593KA",
            house_number="6",
        ),
        rec(
            "service:requesters",
            "R1",
            first_name="jaan",
            last_name="broekdijk",
            email="j.tenbroekdijk@icloud.com",
        ),
        # the ledger's 'Broekdijk ten, J.' at the same address, as dbt's name_parts splits it
        rec(
            "finance:debtors",
            "D1",
            first_name="j.",
            infix="ten",
            last_name="broekdijk",
            postcode="2593KA",
            house_number="6",
        ),
    )
    clusters = _clusters(frame, settings)
    assert frozenset({"C1", "R1", "D1"}) in clusters


def test_a_letter_swapped_in_a_short_name_is_similar_not_a_conflict():
    # Jaro-Winkler has no window for a swap in a three-letter name: 'Bos'/'Bso' scores as another name
    frame = party_frame(
        rec("crm:contacts", "C1", first_name="hans", last_name="bos", postcode="1356BX", house_number="9"),
        rec("finance:debtors", "D1", first_name="hans", last_name="bso", postcode="1356BX", house_number="9"),
        rec("crm:contacts", "C2", first_name="eva", last_name="houtema", email="ehoutema@home.nl"),
        rec("service:requesters", "R2", first_name="eba", last_name="houtema", email="ehoutema@home.nl"),
    )
    prepared = prepare_records(frame)
    pairs = pd.MultiIndex.from_tuples(
        [("crm:contacts:C1", "finance:debtors:D1"), ("crm:contacts:C2", "service:requesters:R2")]
    )
    levels = compare_levels(pairs, prepared, PERSON_FIELDS)
    assert levels["last_name"].tolist()[0] == NAME_SIMILAR
    assert levels["first_name"].tolist()[1] == NAME_SIMILAR


def test_a_first_name_typo_within_one_personal_mailbox_is_one_person_a_family_mailbox_is_not(settings):
    frame = party_frame(
        *background(30),
        rec(
            "crm:contacts",
            "C1",
            first_name="ida",
            last_name="willems",
            email="isa96@kpnmail.nl",
            phone="+31654242095",
            postcode="7323VH",
            house_number="40",
        ),
        rec("service:requesters", "R1", first_name="isa", last_name="willems", email="isa96@kpnmail.nl"),
        # twins Tim and Tom at one home, writing from the family mailbox: two people
        rec(
            "crm:contacts",
            "C2",
            first_name="tim",
            last_name="dekker",
            email="fam.dekker@ziggo.nl",
            postcode="1111AA",
            house_number="1",
        ),
        rec(
            "marketing:subscribers",
            "S2",
            first_name="tom",
            last_name="dekker",
            email="fam.dekker@ziggo.nl",
            postcode="1111AA",
        ),
    )
    clusters = _clusters(frame, settings)
    assert frozenset({"C1", "R1"}) in clusters
    assert frozenset({"C2"}) in clusters and frozenset({"S2"}) in clusters


def test_a_debtor_with_an_initial_and_a_mistyped_surname_at_its_postcode_is_not_capped_as_name_only():
    # 'Steenbeek, S.' (debtor, address) vs 'Sophie Steenberk' (subscriber, same postcode, no house number)
    base = dict.fromkeys((f.name for f in PERSON_FIELDS), -1)
    rows = [
        {**base, "last_name": NAME_CLOSE, "address": 2, "initial": INITIAL_FITS},
        {**base, "last_name": NAME_CLOSE, "address": 2, "initial": -1},  # no initial to confirm the typo
        {**base, "last_name": NAME_CLOSE, "address": 2, "initial": 0},  # 'Steenbek, M.': another person
        # 'S. Steenberk' in the CRM at Sophie Steenbeek's organisation
        {**base, "last_name": NAME_CLOSE, "organisation": 2, "initial": INITIAL_FITS},
    ]
    levels = pd.DataFrame(rows, index=pd.MultiIndex.from_tuples([("a", "b"), ("a", "c"), ("a", "d"), ("a", "e")]))
    out = apply_rules(pd.Series(0.97, index=levels.index), levels, PERSON_FIELDS, "person")
    assert out.tolist() == [0.97, 0.5, 0.05, 0.97]


def test_an_initial_of_the_call_name_joins_within_one_mailbox_but_not_at_a_shared_home(settings):
    assert "h" in (called_initials("johannes") or "")  # Hans
    frame = party_frame(
        *background(30),
        rec(
            "crm:contacts",
            "C1",
            first_name="johannes",
            last_name="woldeers",
            email="woldeers706@gmail.com",
            postcode="3592EP",
            house_number="9",
            phone="+31659139602",
        ),
        # 'Woldeers, H.' writing from Johannes's own mailbox: Hans
        rec("finance:debtors", "D1", first_name="h", last_name="woldeers", email="woldeers706@gmail.com"),
        # 'Woldeers, H.' at the same home without his mailbox: Hendrika, his wife, stays apart
        rec("finance:debtors", "D2", first_name="h", last_name="woldeers", postcode="3592EP", house_number="9"),
    )
    clusters = _clusters(frame, settings)
    assert frozenset({"C1", "D1"}) in clusters
    assert frozenset({"D2"}) in clusters
