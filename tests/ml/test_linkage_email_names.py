"""Names read from mailbox names, against the names the records themselves carry."""

from __future__ import annotations

import pandas as pd

from ml.linkage.standardise import names_from_email, prepare_records

FIRSTS = frozenset({"jan", "noor", "tineke"})
SURNAMES = {"jansen": ("jansen", None), "kuipers": ("kuipers", None), "dejong": ("jong", "de")}


def test_the_usual_mailbox_patterns_spell_a_name() -> None:
    assert names_from_email("jan.jansen", FIRSTS, SURNAMES) == ("jan", "j", "jansen")
    assert names_from_email("j.jansen12", FIRSTS, SURNAMES) == (None, "j", "jansen")
    assert names_from_email("nkuipers412131", FIRSTS, SURNAMES) == (None, "n", "kuipers")
    assert names_from_email("dejong.tineke707651", FIRSTS, SURNAMES) == ("tineke", "t", "dejong")
    assert names_from_email("noorkuipers", FIRSTS, SURNAMES) == ("noor", "n", "kuipers")
    assert names_from_email("fam.dejong", FIRSTS, SURNAMES) == (None, None, "dejong")
    assert names_from_email("noor1984", FIRSTS, SURNAMES) == ("noor", "n", None)


def test_words_no_record_carries_say_nothing() -> None:
    assert names_from_email("info", FIRSTS, SURNAMES) == (None, None, None)
    assert names_from_email("administratie", FIRSTS, SURNAMES) == (None, None, None)
    assert names_from_email("piet.pietersen", FIRSTS, SURNAMES) == (None, None, None)


def test_a_sparse_subscriber_gets_its_name_from_its_mail_and_a_stated_name_wins() -> None:
    base = {"party_kind": "person", "phone": None, "postcode": None, "house_number": None}
    base |= {"house_number_addition": None, "kvk_number": None, "iban": None, "vat_number": None}
    base |= {"birth_date": None, "first_seen_at": None}
    records = pd.DataFrame(
        [
            {**base, "record_key": "crm:1", "first_name": "Noor", "last_name": "Kuipers", "email": "noor@x.nl"},
            {**base, "record_key": "crm:2", "first_name": "Tineke", "infix": "de", "last_name": "Jong"},
            {**base, "record_key": "mkt:1", "first_name": None, "last_name": None, "email": "nkuipers41@gmail.com"},
            {**base, "record_key": "mkt:2", "first_name": None, "last_name": None, "email": "dejong.tineke@live.nl"},
            {**base, "record_key": "mkt:3", "first_name": "Jan", "last_name": "Bos", "email": "nkuipers@home.nl"},
        ]
    )
    df = prepare_records(records)
    assert df.loc["mkt:1", ["first_initial", "last_name", "first_name_std"]].tolist() == ["n", "kuipers", None]
    assert df.loc["mkt:2", ["first_name", "infix", "last_name"]].tolist() == ["tineke", "de", "jong"]
    assert df.loc["mkt:3", ["first_name", "last_name"]].tolist() == ["jan", "bos"]
    assert df["name_from_email"].tolist() == [False, False, True, True, False]


def test_a_mistyped_surname_prefix_is_a_typo_not_another_name() -> None:
    from ml.linkage.compare import NAME_CLOSE, NAME_EXACT, PERSON_FIELDS, compare_levels

    base = {"party_kind": "person", "phone": None, "postcode": None, "house_number": None, "email": None}
    base |= {"house_number_addition": None, "kvk_number": None, "iban": None, "vat_number": None}
    base |= {"birth_date": None, "first_seen_at": None, "first_name": "Willem", "organisation_record_key": None}
    records = prepare_records(
        pd.DataFrame(
            [
                {**base, "record_key": "a", "infix": "van den", "last_name": "Berg"},
                {**base, "record_key": "b", "infix": None, "last_name": "vsn den Berg"},
                {**base, "record_key": "c", "infix": None, "last_name": "Jong, de"},
                {**base, "record_key": "d", "infix": None, "last_name": "de Jong"},
                {**base, "record_key": "e", "infix": None, "last_name": "Bakker"},
            ]
        )
    )
    pairs = pd.MultiIndex.from_tuples([("a", "b"), ("c", "d"), ("a", "e")])
    levels = compare_levels(pairs, records, PERSON_FIELDS)["last_name"].tolist()
    assert levels == [NAME_CLOSE, NAME_EXACT, 0]
