"""Corruption functions: how one clean fact is typed into a source system by a human.

Each function takes the clean value and the chunk's RNG and returns the string a source would export.
They never change *who* a record is about, so truth stays exact whatever they do.
"""

from __future__ import annotations

import random

from cvm.demo import identifiers, names
from cvm.demo.people import Address, Organisation, Person

TYPO_RATE = 0.04  # per name field
CASE_RATE = 0.05  # ALL CAPS / lower case names
NICKNAME_USE = 0.7  # a record uses the call name (else the formal first name)
EMAIL_MESS_RATE = 0.08  # upper case letters or surrounding whitespace
POSTCODE_MISSING = 0.04

_KEYBOARD_NEIGHBOURS = {
    "a": "s",
    "e": "r",
    "i": "o",
    "o": "p",
    "n": "m",
    "r": "t",
    "s": "d",
    "t": "y",
    "l": "k",
    "d": "f",
    "m": "n",
    "k": "j",
    "u": "y",
    "j": "h",
    "v": "b",
    "b": "v",
}


def blank(rng: random.Random, value: str, rate: float) -> str:
    """Unknown: the field was left empty in the source."""
    return "" if rng.random() < rate else value


def typo(rng: random.Random, text: str) -> str:
    """One human typing error: transposition, dropped letter, doubled letter or neighbouring key."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    if kind == 0 and text[i] != text[i + 1]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    ch = text[i]
    sub = _KEYBOARD_NEIGHBOURS.get(ch.lower())
    return text[:i] + sub + text[i + 1 :] if sub else text[:i] + text[i + 1 :]


def maybe_typo(rng: random.Random, text: str, rate: float = TYPO_RATE) -> str:
    return typo(rng, text) if text and rng.random() < rate else text


def case_variant(rng: random.Random, text: str, rate: float = CASE_RATE) -> str:
    if rng.random() >= rate:
        return text
    return text.upper() if rng.random() < 0.6 else text.lower()


def first_name(rng: random.Random, person: Person, call_rate: float = NICKNAME_USE) -> str:
    """The first name as a system knows it: call name or formal name, with typos."""
    name = person.call if rng.random() < call_rate else person.first
    return maybe_typo(rng, name)


def contact_name_fields(rng: random.Random, person: Person) -> tuple[str, str, str]:
    """(first_name, infix, last_name) for the CRM: the infix is not always in its own field."""
    first = case_variant(rng, first_name(rng, person))
    last = maybe_typo(rng, person.last)
    infix = person.infix
    r = rng.random()
    if infix and r < 0.15:
        infix, last = "", f"{infix} {last}"  # 'de Jong' in the last-name field
    elif infix and r < 0.22:
        infix, last = "", f"{names.capitalised_infix(infix)} {last}"  # 'De Jong'
    elif infix and r < 0.27:
        infix, last = "", f"{last}, {infix}"  # 'Jong, de'
    elif infix and r < 0.32:
        infix = names.capitalised_infix(infix)
    return first, infix, case_variant(rng, last)


def display_name(rng: random.Random, person: Person) -> str:
    """A one-field name as finance or service stores it: many orders and abbreviations."""
    first = first_name(rng, person, call_rate=0.5)
    last = maybe_typo(rng, person.last)
    infix = person.infix
    r = rng.random()
    if r < 0.45:
        text = f"{first} {names.full_last_name(infix, last)}"
    elif r < 0.60:
        text = f"{names.initials(person.first)} {names.full_last_name(infix, last)}"
    elif r < 0.72:
        text = f"{last}, {first} {infix}".rstrip()  # 'Jong, Jan de'
    elif r < 0.80:
        text = f"{last}, {names.initials(person.first)} {infix}".rstrip()
    elif r < 0.88:
        text = f"{names.capitalised_infix(infix)} {last}".strip() if infix else f"{last}"
    elif r < 0.94:
        text = f"{names.full_last_name(infix, last)}, {first}"  # 'de Jong, Jan'
    else:
        text = f"{first} {names.capitalised_infix(infix)} {last}".replace("  ", " ")
    return case_variant(rng, text)


def company_name(rng: random.Random, org: Organisation) -> str:
    """Company with its legal form in one of its spellings, sometimes dropped or with a typo."""
    name = maybe_typo(rng, org.name, 0.03)
    if org.legal_form and rng.random() > 0.1:
        spelling = next(f[2] for f in names.LEGAL_FORMS if f[0] == org.legal_form)
        form = spelling[0] if rng.random() < 0.5 else rng.choice(spelling)
        name = f"{name} {form}"
    return case_variant(rng, name, 0.04)


def email(rng: random.Random, address: str) -> str:
    """E-mail with case or whitespace noise (the address itself stays the same after cleaning)."""
    if not address or rng.random() >= EMAIL_MESS_RATE:
        return address
    r = rng.random()
    if r < 0.4:
        local, _, domain = address.partition("@")
        return f"{local[:1].upper()}{local[1:]}@{domain.capitalize()}"
    if r < 0.7:
        return f" {address} " if r < 0.55 else f"{address} "
    return address.upper()


def phone(rng: random.Random, nsn: str, missing: float = 0.08) -> str:
    if not nsn or rng.random() < missing:
        return ""
    return identifiers.format_phone(nsn, rng.randrange(6))


def postcode(rng: random.Random, address: Address) -> str:
    if rng.random() < POSTCODE_MISSING:
        return ""
    style = rng.choices((0, 1, 2, 3), weights=(55, 30, 8, 7))[0]
    return identifiers.format_postcode(address.pc_number, address.pc_letters, style)


def house_number(rng: random.Random, address: Address) -> str:
    return identifiers.format_house_number(address.number, address.addition, rng.randrange(4))


def street(rng: random.Random, address: Address) -> str:
    text = address.street
    r = rng.random()
    if r < 0.06:
        text = text.replace("Burgemeester", "Burg.").replace("straat", "str.").replace("Koningin", "Kon.")
    elif r < 0.1:
        text = text.lower()
    return maybe_typo(rng, text, 0.02)


def city(rng: random.Random, address: Address) -> str:
    name, *_, variants = names.CITIES[address.city_index]
    r = rng.random()
    if variants and r < 0.25:
        return rng.choice(variants)
    if r < 0.3:
        return name.upper()
    return name


def address_fields(rng: random.Random, address: Address, with_street: bool = True) -> list[str]:
    """[street, house_number, postcode, city, country] as one source exports them."""
    if with_street and rng.random() < 0.03:
        return ["", "", "", "", ""]  # address unknown
    country = rng.choice(("NL", "NL", "NL", "Nederland", "", "NLD"))
    return [street(rng, address), house_number(rng, address), postcode(rng, address), city(rng, address), country]
