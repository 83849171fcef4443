"""The cluster constraint's notion of 'the same first name' (issue 6, classes 4 and 5): a typo of a formal
name beside its call name is one person ('Hnedrik' and 'Henk' for Hendrik), as the comparison grades it;
two real names a keystroke apart in one household ('Tim' and 'Tom') stay two people."""

from __future__ import annotations

import pandas as pd

from ml.linkage.cluster import cluster_records
from ml.linkage.constraints import name_readings
from ml.linkage.standardise import prepare_records
from tests.ml.factories import party_frame
from tests.ml.factories import party_record as rec


def _linked(frame: pd.DataFrame, links: list[tuple[str, str, float]]) -> set[frozenset[str]]:
    """Clusters (of the linked records) from the given links, through the cluster constraints."""
    records = prepare_records(frame)
    key = dict(zip(frame["source_record_id"], frame["record_key"], strict=True))
    pairs = pd.DataFrame(
        [(key[a], key[b], p) for a, b, p in links], columns=["record_key_l", "record_key_r", "match_probability"]
    )
    out = cluster_records(records.index, pairs, 0.9, records=records, exclusive=("birth_date_key",))
    out["id"] = out["record_key"].str.split(":").str[-1]
    linked = {a for a, _, _ in links} | {b for _, b, _ in links}
    out = out[out["id"].isin(linked)]
    return {frozenset(g) for g in out["id"].groupby(out["cluster"].to_numpy()).agg(set)}


def _namesakes(first_name: str, n: int) -> list[dict[str, object]]:
    """Other people of this first name elsewhere: how often a name is written tells a name from a typo."""
    return [
        rec("crm:contacts", f"{first_name}-{i}", first_name=first_name, last_name=f"ander{i}", postcode=f"{1100 + i}AA")
        for i in range(n)
    ]


def test_a_mistyped_formal_name_joins_the_call_name_of_the_same_person():
    """Hendrik 'Henk' Verbeek: a CRM contact as Hendrik, one as Henk, and a debtor typed 'Hnedrik', all
    from henk.verbeek@upcmail.nl. 'Hnedrik' is Hendrik mistyped (one keystroke, and Hendrik is written
    ten times as often), so it is Henk too: the three are one party. Likewise 'Coy' beside Coby (Jacoba),
    whose initials (c., j.) it inherits."""
    mail = {"email": "henk.verbeek828673@upcmail.nl", "last_name": "verbeek"}
    coby = {"email": "coby.jansen@ziggo.nl", "last_name": "jansen"}
    frame = party_frame(
        rec("crm:contacts", "CON-1187", first_name="hendrik", birth_date="1945-10-01", **mail),
        rec("crm:contacts", "CON-1188", first_name="henk", postcode="3017PR", house_number="8", **mail),
        rec("finance:debtors", "101114", first_name="hnedrik", postcode="3017PR", house_number="8", **mail),
        rec("crm:contacts", "CON-2014", first_name="coby", **coby),
        rec("finance:debtors", "102014", first_name="jacoba", **coby),
        rec("service:requesters", "R584", first_name="coy", **coby),
        *_namesakes("hendrik", 10),
        *_namesakes("coby", 10),
    )
    links = [
        ("CON-1187", "CON-1188", 0.9999),
        ("CON-1188", "101114", 0.9998),
        ("CON-1187", "101114", 0.9997),
        ("CON-2014", "102014", 0.9999),
        ("102014", "R584", 0.9990),
    ]
    assert _linked(frame, links) == {
        frozenset({"CON-1187", "CON-1188", "101114"}),
        frozenset({"CON-2014", "102014", "R584"}),
    }


def test_two_real_names_a_keystroke_apart_stay_two_people_of_one_household():
    """Tim and Tom Visser at one address, bridged by a debtor without a first name paying from the family
    mailbox: both names are written about as often, so neither is read as a typo of the other; the bridge
    joins Tim (its strongest link) and Tom stays apart. Nor is a name of the nickname seed ('tom', Thomas)
    ever read as a typo, however rare it is beside 'tim'."""
    home = {"last_name": "visser", "postcode": "7311AB", "house_number": "4"}
    frame = party_frame(
        rec("crm:contacts", "CON-1", first_name="tim", email="tim.visser@gmail.com", **home),
        rec("marketing:subscribers", "SUB-1", first_name="tom", email="tom.visser@gmail.com", **home),
        rec("finance:debtors", "104001", email="fam.visser@ziggo.nl", **home),
        *_namesakes("tim", 12),
        *_namesakes("tom", 10),
    )
    links = [("CON-1", "104001", 0.99), ("SUB-1", "104001", 0.98)]
    assert _linked(frame, links) == {frozenset({"CON-1", "104001"}), frozenset({"SUB-1"})}
    rare_tom = prepare_records(party_frame(*_namesakes("tim", 12), *_namesakes("tom", 1)))
    assert name_readings(rare_tom["first_name_raw"])["tom"] == frozenset({"tom"})


def test_a_typo_is_read_only_beside_a_name_written_far_more_often():
    """'hnedrik' once beside 'hendrik' ten times is a typo of it; beside 'hendrik' twice it is not
    (nothing says which of the two is the name)."""
    often = prepare_records(party_frame(*_namesakes("hendrik", 10), *_namesakes("hnedrik", 1)))
    rarely = prepare_records(party_frame(*_namesakes("hendrik", 2), *_namesakes("hnedrik", 1)))
    assert name_readings(often["first_name_raw"])["hnedrik"] == frozenset({"hnedrik", "hendrik"})
    assert name_readings(rarely["first_name_raw"])["hnedrik"] == frozenset({"hnedrik"})


def test_two_bare_initials_join_only_where_a_named_record_accounts_for_both():
    """Sjef (Jozef) Jansen: a contact 'Sjef', a requester 'S. Jansen' and a debtor 'J. Jansen' from his
    mailbox are one person, since Sjef may sign with either initial. Two records with only a surname and
    different initials at one family mailbox ('A. Bakker', 'F. Bakker') are two people."""
    sjef = {"email": "sjansen342203@hotmail.com", "last_name": "jansen"}
    fam = {"email": "fam.bakker@upcmail.nl", "last_name": "bakker", "postcode": "1080VG"}
    frame = party_frame(
        rec("crm:contacts", "CON-10358", first_name="sjef", **sjef),
        rec("service:requesters", "R2968", first_name="s.", **sjef),
        rec("finance:debtors", "110358", first_name="j.", **sjef),
        rec("finance:debtors", "108257", first_name="a.", iban="NL26INGB7934662408", **fam),
        rec("marketing:subscribers", "SUB-8257", first_name="f.", **fam),
    )
    links = [
        ("CON-10358", "R2968", 0.9999),
        ("CON-10358", "110358", 0.9998),
        ("R2968", "110358", 0.9990),
        ("108257", "SUB-8257", 0.9995),
    ]
    assert _linked(frame, links) == {
        frozenset({"CON-10358", "R2968", "110358"}),
        frozenset({"108257"}),
        frozenset({"SUB-8257"}),
    }
