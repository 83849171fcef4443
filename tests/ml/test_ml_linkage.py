"""Identity resolution on small hand-made records: obvious duplicates found, namesakes kept apart."""

from __future__ import annotations

import pandas as pd
import pytest

from ml.config import load_settings
from ml.linkage import resolve
from ml.linkage.block import NAME_BLOCK_SIZE, PERSON_PASSES, candidate_pairs
from ml.linkage.cluster import cluster_records
from ml.linkage.evaluate import score_clusters
from ml.linkage.ids import assign_stable_ids, hashed_id
from ml.linkage.standardise import canonical_first_name, dutch_phonetic, prepare_records, split_infix
from tests.ml.factories import party_frame
from tests.ml.factories import party_record as rec


def _party(result, key: str) -> str:
    return result.records.set_index("record_key").loc[key, "party_id"]


def _customer(result, key: str) -> str:
    return result.records.set_index("record_key").loc[key, "customer_id"]


@pytest.fixture(scope="module")
def settings():
    return load_settings()


def people() -> pd.DataFrame:
    return party_frame(
        rec(
            "crm:contacts",
            "C1",
            first_name="jan",
            infix="de",
            last_name="jong",
            email="jan.dejong@gmail.com",
            phone="+31612345678",
            postcode="1234AB",
            house_number="10",
        ),
        # same e-mail, typo in the last name, no house number
        rec(
            "marketing:subscribers",
            "S1",
            first_name="jan",
            infix="de",
            last_name="jongh",
            email="jan.dejong@gmail.com",
            postcode="1234AB",
        ),
        # 'Jong, de' as a service desk types it, same address
        rec("service:requesters", "R1", first_name="jan", last_name="Jong, de", postcode="1234 ab", house_number="10"),
        # a namesake elsewhere: must stay a different party
        rec(
            "crm:contacts",
            "C2",
            first_name="jan",
            infix="de",
            last_name="jong",
            email="jdj@hotmail.com",
            phone="+31699999999",
            postcode="9876ZZ",
            house_number="5",
        ),
        # two colleagues sharing info@ and the office address: never one party
        rec(
            "crm:contacts",
            "C3",
            first_name="piet",
            last_name="bakker",
            email="info@acme.nl",
            email_is_role=True,
            postcode="5555AA",
            house_number="1",
            organisation_record_key="crm:accounts:A1",
        ),
        rec(
            "crm:contacts",
            "C4",
            first_name="klaas",
            last_name="visser",
            email="info@acme.nl",
            email_is_role=True,
            postcode="5555AA",
            house_number="1",
            organisation_record_key="crm:accounts:A1",
        ),
        rec(
            "crm:accounts",
            "A1",
            kind="organisation",
            organisation_name="acme",
            kvk_number="12345678",
            email="info@acme.nl",
            postcode="5555AA",
            house_number="1",
        ),
        rec(
            "finance:debtors",
            "D1",
            kind="organisation",
            organisation_name="acme",
            kvk_number="12345678",
            iban="NL91ABNA0417164300",
        ),
        # a subscriber who gave 'ACME' as company: attached to the organisation by name
        rec(
            "marketing:subscribers",
            "S2",
            first_name="marie",
            last_name="smit",
            organisation_name="acme",
            email="marie.smit@acme.nl",
        ),
    )


def test_standardisation_splits_infix_and_maps_nicknames() -> None:
    assert split_infix("jong, de", None) == ("jong", "de")
    assert split_infix("van der berg", None) == ("berg", "van der")
    assert canonical_first_name("hans") == canonical_first_name("johannes") == "johannes"
    assert canonical_first_name("kees") == "cornelis"
    assert canonical_first_name("d") is None  # an initial is neutral, not a conflict
    assert dutch_phonetic("janssen") == dutch_phonetic("jansen") == dutch_phonetic("janzen")
    assert dutch_phonetic("meijer") == dutch_phonetic("meyer")
    prepared = prepare_records(people())
    assert prepared.loc["service:requesters:R1", ["last_name", "infix", "postcode"]].tolist() == [
        "jong",
        "de",
        "1234AB",
    ]
    # a role mailbox is no e-mail key for persons, but still one for the organisation
    assert pd.isna(prepared.loc["crm:contacts:C3", "email_key"])
    assert prepared.loc["crm:accounts:A1", "email_key"] == "info@acme.nl"


def test_linkage_finds_obvious_duplicates_and_keeps_namesakes_apart(settings) -> None:
    result = resolve(people(), settings=settings)
    p = lambda k: _party(result, k)  # noqa: E731
    assert p("crm:contacts:C1") == p("marketing:subscribers:S1") == p("service:requesters:R1")
    assert p("crm:contacts:C2") != p("crm:contacts:C1")
    assert p("crm:contacts:C3") != p("crm:contacts:C4")
    assert p("crm:accounts:A1") == p("finance:debtors:D1")
    assert result.summary.parties == 6  # jan x2, piet, klaas, acme, marie
    pairs = result.pairs.set_index(["record_key_l", "record_key_r"])
    assert pairs.loc[("crm:contacts:C1", "marketing:subscribers:S1"), "match_probability"] > 0.95
    assert pairs.loc[("crm:contacts:C1", "crm:contacts:C2"), "match_probability"] < 0.5
    assert not pairs.loc[("crm:contacts:C3", "crm:contacts:C4"), "is_match"]
    by_key = result.records.set_index("record_key")
    assert by_key.loc["service:requesters:R1", "match_probability"] > 0.9
    assert by_key.loc["crm:contacts:C2", "match_probability"] == 1.0


def test_persons_attach_to_their_organisation(settings) -> None:
    result = resolve(people(), settings=settings)
    c = lambda k: _customer(result, k)  # noqa: E731
    org = c("crm:accounts:A1")
    assert c("crm:contacts:C3") == c("crm:contacts:C4") == c("finance:debtors:D1") == org
    assert c("marketing:subscribers:S2") == org
    assert c("crm:contacts:C1") != org and c("crm:contacts:C1") != c("crm:contacts:C2")
    types = result.records.set_index("record_key")["customer_type"]
    assert types["crm:contacts:C3"] == "organisation" and types["crm:contacts:C1"] == "person"
    assert result.summary.customers == 3
    assert result.records["party_id"].str.fullmatch(r"P-[0-9a-f]{12}").all()
    assert result.records["customer_id"].str.fullmatch(r"C-[0-9a-f]{12}").all()


def test_ids_are_stable_and_a_bridging_record_is_recorded_as_a_merge(settings) -> None:
    base = party_frame(
        rec(
            "crm:contacts",
            "K1",
            first_name="anna",
            last_name="visser",
            email="anna@visser.nl",
            first_seen_at=pd.Timestamp("2019-01-01", tz="UTC"),
        ),
        rec(
            "finance:debtors",
            "F1",
            first_name="anna",
            last_name="visser",
            phone="+31611111111",
            postcode="3011AA",
            house_number="7",
            first_seen_at=pd.Timestamp("2021-01-01", tz="UTC"),
        ),
    )
    first = resolve(base, settings=settings)
    assert _party(first, "crm:contacts:K1") != _party(first, "finance:debtors:F1")
    # the oldest record names a brand-new cluster
    assert _party(first, "crm:contacts:K1") == hashed_id("P", "crm:contacts:K1")
    again = resolve(base, previous=first.records, settings=settings)
    assert again.records["party_id"].tolist() == first.records["party_id"].tolist()
    assert again.changes.empty

    bridge = rec(
        "marketing:subscribers",
        "B1",
        first_name="anna",
        last_name="visser",
        email="anna@visser.nl",
        phone="+31611111111",
        postcode="3011AA",
        first_seen_at=pd.Timestamp("2024-01-01", tz="UTC"),
    )
    third = resolve(
        pd.concat([base, party_frame(bridge)], ignore_index=True), previous=first.records, settings=settings
    )
    merged = {_party(third, k) for k in ("crm:contacts:K1", "finance:debtors:F1", "marketing:subscribers:B1")}
    assert len(merged) == 1
    party_changes = third.changes[third.changes["id_kind"].eq("party")]
    assert party_changes[["old_id", "new_id", "kind", "records"]].values.tolist() == [
        [_party(first, "finance:debtors:F1"), _party(first, "crm:contacts:K1"), "merge", 1]
    ]


def test_stable_ids_split_keeps_majority_and_records_split() -> None:
    groups = pd.Series({"a": "g1", "b": "g1", "c": "g2"})
    seen = pd.Series(pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01"], utc=True), index=["a", "b", "c"])
    previous = pd.Series({"a": "P-old", "b": "P-old", "c": "P-old"})
    ids, changes = assign_stable_ids(groups, seen, previous, "P")
    assert ids["a"] == ids["b"] == "P-old"
    assert ids["c"] == hashed_id("P", "c")
    assert changes.values.tolist() == [["P-old", hashed_id("P", "c"), "split", 1]]


def test_cluster_guard_drops_a_weak_bridge_between_two_groups() -> None:
    pairs = pd.DataFrame(
        [("a", "b", 0.999), ("c", "d", 0.999), ("b", "c", 0.93)],
        columns=["record_key_l", "record_key_r", "match_probability"],
    )
    out = cluster_records(["a", "b", "c", "d", "e"], pairs, threshold=0.9).set_index("record_key")
    assert out.loc["a", "cluster"] == out.loc["b", "cluster"] != out.loc["c", "cluster"] == out.loc["d", "cluster"]
    assert out.loc["e", "match_probability"] == 1.0
    strong = pairs.assign(match_probability=[0.999, 0.999, 0.995])
    out = cluster_records(["a", "b", "c", "d"], strong, threshold=0.9).set_index("record_key")
    assert out["cluster"].nunique() == 1
    capped = cluster_records(["a", "b", "c", "d"], strong, threshold=0.9, max_size=2).set_index("record_key")
    assert capped["cluster"].value_counts().max() == 2


def test_evaluate_pair_precision_recall() -> None:
    truth = pd.Series({"a": 1, "b": 1, "c": 1, "d": 2})
    predicted = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"})
    scores = score_clusters(truth, predicted)
    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (3, 2, 1)
    assert scores.precision == pytest.approx(0.5) and scores.recall == pytest.approx(1 / 3)
    assert scores.exact_clusters == 0.0


def test_evaluate_bcubed() -> None:
    truth = pd.Series({"a": 1, "b": 1, "c": 1, "d": 2})
    predicted = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"})
    scores = score_clusters(truth, predicted)
    # per record precision 1, 1, 1/2, 1/2; recall 2/3, 2/3, 1/3, 1
    assert scores.bcubed_precision == pytest.approx(0.75)
    assert scores.bcubed_recall == pytest.approx(2 / 3)
    assert scores.bcubed_f1 == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))


def test_name_pass_skips_namesake_blocks_so_pairs_stay_near_linear() -> None:
    """Every 'jan de jong' of a large book in one block would be quadratic; only small name blocks pair."""
    namesakes = [
        rec("marketing:subscribers", f"S{i}", first_name="jan", infix="de", last_name="jong")
        for i in range(NAME_BLOCK_SIZE + 1)
    ]
    pair = [rec("marketing:subscribers", f"B{i}", first_name="piet", last_name="bakker") for i in range(2)]
    records = prepare_records(party_frame(*namesakes, *pair))
    pairs, counts = candidate_pairs(records, PERSON_PASSES, max_block_size=500)
    assert counts["name"] == 1
    assert list(pairs) == [("marketing:subscribers:B0", "marketing:subscribers:B1")]
