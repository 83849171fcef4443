"""Dutch identifiers (KvK, VAT, IBAN, phone, postcode, house number) and source-system ids.

Numbers that identify a party (KvK, VAT, IBAN, phone) come from a bijective scramble of a global
counter, so two different parties never share one by accident: any sharing in the demo data is a
deliberate, truth-recorded mess, never a birthday collision.
"""

from __future__ import annotations

import random
import uuid

BANKS: tuple[str, ...] = ("ABNA", "INGB", "RABO", "SNSB", "TRIO", "KNAB", "ASNB", "BUNQ", "RBRB")
_SCRAMBLE_FACTOR = 7_368_787  # prime, coprime with every 10**k and 9 * 10**k


def scramble(index: int, modulus: int, salt: int) -> int:
    """A permutation of range(modulus): unique outputs for unique indexes, random-looking order."""
    return (_SCRAMBLE_FACTOR * index + salt) % modulus


def kvk_number(index: int, salt: int) -> str:
    """Chamber of Commerce number: 8 digits, no leading zero."""
    return str(10_000_000 + scramble(index, 90_000_000, salt))


def vat_number(index: int, salt: int) -> str:
    """Dutch VAT id in the NL#########B## shape (most companies have B01)."""
    return f"NL{scramble(index, 1_000_000_000, salt):09d}B{1 + index % 3:02d}"


def iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616 check digits: move country+'00' to the end, letters to numbers, 98 - mod 97."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def iban_is_valid(iban: str) -> bool:
    """Mod-97 check of an IBAN in any spacing or case."""
    clean = iban.replace(" ", "").upper()
    if len(clean) < 15 or not clean[:2].isalpha():
        return False
    digits = "".join(str(int(ch, 36)) for ch in clean[4:] + clean[:4])
    return int(digits) % 97 == 1


def nl_iban(index: int, salt: int) -> str:
    """NL IBAN (18 chars, no spaces) with a valid mod-97 check: bank code + 10-digit account."""
    bban = BANKS[index % len(BANKS)] + f"{scramble(index, 10_000_000_000, salt):010d}"
    return "NL" + iban_check_digits("NL", bban) + bban


def format_iban(iban: str, style: int) -> str:
    """Exports show IBANs compact, grouped per 4, or lower case."""
    if style == 1:
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    if style == 2:
        return iban.lower()
    return iban


def mobile_number(index: int, salt: int) -> str:
    """National significant number of a Dutch mobile: '6' + 8 digits."""
    return "6" + f"{scramble(index, 100_000_000, salt):08d}"


def landline_number(index: int, salt: int, area: str) -> str:
    """National significant number of a landline: area code (without 0) + subscriber digits = 9."""
    body = area[1:]
    width = 9 - len(body)
    return body + str(2 * 10 ** (width - 1) + scramble(index, 7 * 10 ** (width - 1), salt))


def format_phone(nsn: str, style: int) -> str:
    """Render a national significant number the way people type it (style 0..5)."""
    mobile = nsn.startswith("6")
    if mobile:
        rest = nsn[1:]
        styles = (
            f"06-{rest}",
            f"+31 6 {rest[:4]} {rest[4:]}",
            f"06{rest}",
            f"+31{nsn}",
            f"06 {rest[:2]} {rest[2:4]} {rest[4:6]} {rest[6:]}",
            f"0031 6 {rest}",
        )
    else:
        area_len = 2 if nsn[:2] in _TWO_DIGIT_AREAS else 3
        area, rest = nsn[:area_len], nsn[area_len:]
        styles = (
            f"0{area}-{rest}",
            f"+31{nsn}",
            f"0{area} {rest[:3]} {rest[3:]}",
            f"0{nsn}",
            f"(0{area}) {rest}",
            f"+31 {area} {rest}",
        )
    return styles[style % len(styles)]


_TWO_DIGIT_AREAS = frozenset(
    {
        "20",
        "10",
        "70",
        "30",
        "40",
        "50",
        "13",
        "36",
        "76",
        "24",
        "55",
        "23",
        "26",
        "53",
        "33",
        "38",
        "71",
        "43",
        "78",
        "79",
        "73",
        "58",
        "15",
        "72",
        "35",
        "77",
    }
)


POSTCODE_LETTERS = "ABCEGHJKLMNPRSTVWXZ"  # letters used in Dutch postcodes (no SA/SD/SS combos chosen)


def postcode_letters(rng: random.Random) -> str:
    first = rng.choice(POSTCODE_LETTERS)
    second = rng.choice(POSTCODE_LETTERS)
    if first == "S" and second in "ADS":
        second = "T"
    return first + second


def format_postcode(number: int, letters: str, style: int) -> str:
    """'1234 AB' (canonical), '1234AB', '1234 ab', '1234ab'."""
    return (f"{number} {letters}", f"{number}{letters}", f"{number} {letters.lower()}", f"{number}{letters.lower()}")[
        style % 4
    ]


HOUSE_ADDITIONS: tuple[str, ...] = ("", "a", "b", "-2", "-1", " bis", "-hs", "A", "c")


def format_house_number(number: int, addition: str, style: int) -> str:
    """House number with its addition in the spellings exports use: '12a', '12 a', '12-A', '12A'."""
    if not addition:
        return str(number)
    add = addition.strip().lstrip("-")
    if style == 1:
        return f"{number} {add}"
    if style == 2:
        return f"{number}-{add.upper()}"
    return f"{number}{addition}"


def uuid_like(rng: random.Random) -> str:
    """A UUID4-shaped id from the seeded RNG (uuid.uuid4 would use the OS entropy, not the seed)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
