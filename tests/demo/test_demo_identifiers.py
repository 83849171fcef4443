"""Unit tests of the identifier helpers: check digits, formats, uniqueness by construction."""

from __future__ import annotations

import random
import re
from datetime import date

from cvm.demo import identifiers, messy, names
from cvm.demo.people import Address, Person


def test_iban_check_digits_match_the_published_example() -> None:
    assert identifiers.iban_check_digits("NL", "ABNA0417164300") == "91"
    assert identifiers.iban_is_valid("NL91 ABNA 0417 1643 00")
    assert not identifiers.iban_is_valid("NL92ABNA0417164300")


def test_generated_ibans_are_valid_and_unique() -> None:
    ibans = [identifiers.nl_iban(i, 12345) for i in range(5000)]
    assert len(set(ibans)) == 5000
    assert all(re.fullmatch(r"NL\d{2}[A-Z]{4}\d{10}", x) for x in ibans)
    assert all(identifiers.iban_is_valid(x) for x in ibans)
    styled = [identifiers.format_iban(x, s) for x in ibans[:100] for s in (0, 1, 2)]
    assert all(identifiers.iban_is_valid(x) for x in styled)


def test_kvk_and_vat_shapes_and_uniqueness() -> None:
    kvks = [identifiers.kvk_number(i, 99) for i in range(20000)]
    assert len(set(kvks)) == len(kvks)
    assert all(re.fullmatch(r"[1-9]\d{7}", k) for k in kvks)
    vats = [identifiers.vat_number(i, 7) for i in range(2000)]
    assert all(re.fullmatch(r"NL\d{9}B\d{2}", v) for v in vats)
    assert len(set(vats)) == len(vats)


def test_phone_styles_all_reduce_to_the_same_number() -> None:
    mobile = identifiers.mobile_number(42, 1)
    landline = identifiers.landline_number(42, 1, "020")
    assert len(mobile) == 9 and mobile.startswith("6")
    assert len(landline) == 9 and landline.startswith("20")
    for nsn in (mobile, landline):
        shapes = {identifiers.format_phone(nsn, s) for s in range(6)}
        assert len(shapes) == 6
        for shape in shapes:
            digits = re.sub(r"\D", "", shape)
            digits = digits[4:] if digits.startswith("0031") else digits[2:] if digits.startswith("31") else digits[1:]
            assert digits == nsn, shape
    assert identifiers.format_phone("612345678", 0) == "06-12345678"
    assert identifiers.format_phone("612345678", 1) == "+31 6 1234 5678"
    assert identifiers.format_phone("201234567", 0) == "020-1234567"
    assert identifiers.format_phone("201234567", 1) == "+31201234567"


def test_postcode_and_house_number_spellings() -> None:
    assert [identifiers.format_postcode(1234, "AB", s) for s in range(4)] == ["1234 AB", "1234AB", "1234 ab", "1234ab"]
    assert identifiers.format_house_number(12, "a", 0) == "12a"
    assert identifiers.format_house_number(12, "-2", 0) == "12-2"
    assert identifiers.format_house_number(12, " bis", 0) == "12 bis"
    assert identifiers.format_house_number(12, "a", 2) == "12-A"


def test_uuid_like_ids_follow_the_seed() -> None:
    a = [identifiers.uuid_like(random.Random(5)) for _ in range(3)]
    b = [identifiers.uuid_like(random.Random(5)) for _ in range(3)]
    assert a == b
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", a[0])
    assert identifiers.uuid_like(random.Random(6)) != a[0]


def test_dutch_name_formatting() -> None:
    assert names.full_last_name("van der", "Meer") == "van der Meer"
    assert names.sort_name("de", "Jong") == "Jong, de"
    assert names.initials("Anne-Marie") == "A.M."
    assert names.capitalised_infix("van den") == "Van den"


def test_typo_changes_text_by_one_edit() -> None:
    rng = random.Random(3)
    for _ in range(200):
        out = messy.typo(rng, "Jansen")
        assert abs(len(out) - len("Jansen")) <= 1
        assert out[0] == "J"


def test_display_name_produces_the_documented_variants() -> None:
    rng = random.Random(1)
    address = Address("Kerkstraat", 1, "", 1011, "AB", 0)
    person = Person(
        party_id="P1",
        index=1,
        gender="M",
        first="Johannes",
        call="Jan",
        infix="de",
        last="Jong",
        birth=date(1970, 1, 1),
        email="x@y.nl",
        mobile="6",
        landline="",
        address=address,
    )
    seen = {messy.display_name(rng, person) for _ in range(3000)}
    variants = (
        "Jan de Jong",
        "J. de Jong",
        "Jong, Jan de",
        "De Jong",
        "de Jong, Jan",
        "Johannes de Jong",
        "JAN DE JONG",
    )
    for variant in variants:
        assert variant in seen, variant
