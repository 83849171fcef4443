"""Comparison vectors: recordlinkage Compare similarities, then graded levels per field.

A level is an int: -1 = a value is missing on either side (neutral: it adds no evidence either way),
0 = disagree, higher = stronger agreement. Levels, not raw similarities, go to the Fellegi-Sunter model
in `score.py`, so the model learns one m/u probability per level.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import jellyfish
import numpy as np
import pandas as pd
import recordlinkage

from ml.linkage.standardise import related_first_names

CHUNK_PAIRS = 200_000  # compare in chunks so memory stays flat however many pairs blocking yields


@dataclass(frozen=True)
class Field:
    """One compared field: the column, how it is compared, and the number of levels (excl. missing)."""

    name: str
    column: str
    method: str  # 'name' (Jaro-Winkler graded) | 'exact' | 'address' | 'organisation' | 'initial' | 'domain'
    levels: int
    identifying: bool  # agreement identifies the party on its own (used by the name-only guard)


PERSON_FIELDS: tuple[Field, ...] = (
    Field("first_name", "first_name_std", "name", 4, False),
    Field("last_name", "last_name", "name", 4, False),
    Field("email", "email_key", "email", 3, True),
    Field("phone", "phone", "exact", 2, True),
    Field("address", "postcode", "address", 4, True),
    Field("birth_date", "birth_date_key", "date", 3, True),
    Field("iban", "iban", "exact", 2, True),
    # an identifier that belongs to one person (a national or loyalty number); absent in the demo sources
    Field("personal_id", "personal_id", "exact", 2, True),
    Field("organisation", "organisation_key", "organisation", 3, False),
    Field("initial", "first_initial", "initial", 3, False),
)

ORGANISATION_FIELDS: tuple[Field, ...] = (
    Field("organisation_name", "organisation_key", "name", 4, False),
    Field("kvk", "kvk_number", "exact", 2, True),
    Field("vat", "vat_number", "exact", 2, True),
    Field("iban", "iban", "exact", 2, True),
    Field("email", "email", "exact", 2, True),
    Field("phone", "phone", "exact", 2, True),
    Field("address", "postcode", "address", 4, True),
    Field("email_domain", "work_domain", "domain", 2, False),
    # the house number where a side lacks the postcode (an account typed without one)
    Field("house_number", "house_number", "house", 2, False),
)

# computed here from the records rather than by recordlinkage.Compare
CUSTOM_METHODS = ("organisation", "initial", "domain", "date", "email", "house")

NAME_EXACT, NAME_CLOSE, NAME_SIMILAR = 3, 2, 1
INITIAL_FITS, INITIAL_CALLED = 2, 1
JW_CLOSE, JW_SIMILAR = 0.92, 0.80


def _compare(fields: tuple[Field, ...]) -> recordlinkage.Compare:
    cmp = recordlinkage.Compare()
    for f in fields:
        if f.method == "name":
            cmp.string(f.column, f.column, method="jarowinkler", label=f"{f.name}__jw", missing_value=np.nan)
            cmp.exact(f.column, f.column, label=f"{f.name}__eq", missing_value=np.nan)
        elif f.method == "exact":
            cmp.exact(f.column, f.column, label=f"{f.name}__eq", missing_value=np.nan)
        elif f.method == "address":
            cmp.exact("postcode", "postcode", label=f"{f.name}__postcode", missing_value=np.nan)
            cmp.exact("house_number", "house_number", label=f"{f.name}__house", missing_value=np.nan)
        elif f.method in CUSTOM_METHODS:
            continue
        else:
            raise ValueError(f"unknown comparison method {f.method!r}")
    return cmp


def _name_level(jw: pd.Series, eq: pd.Series) -> np.ndarray:
    level = np.select(
        [jw.isna(), eq.eq(1), jw.ge(JW_CLOSE), jw.ge(JW_SIMILAR)],
        [-1, NAME_EXACT, NAME_CLOSE, NAME_SIMILAR],
        default=0,
    )
    return level.astype(np.int8)


def _address_level(postcode: pd.Series, house: pd.Series) -> np.ndarray:
    """3 same postcode + house number, 2 same postcode and a house number unknown, 1 same postcode other
    house number (neighbours, or a move within the street), 0 other postcode, -1 postcode unknown."""
    level = np.select(
        [postcode.isna(), postcode.eq(0), house.eq(1), house.isna()],
        [-1, 0, 3, 2],
        default=1,
    )
    return level.astype(np.int8)


def _sides(pairs: pd.MultiIndex, records: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    left = records[column].reindex(pairs.get_level_values(0)).reset_index(drop=True)
    right = records[column].reindex(pairs.get_level_values(1)).reset_index(drop=True)
    return left, right


def _same(left: pd.Series, right: pd.Series) -> np.ndarray:
    return (left.notna() & right.notna() & left.eq(right)).to_numpy()


def organisation_level(pairs: pd.MultiIndex, records: pd.DataFrame) -> np.ndarray:
    """A person's organisation context: 2 the same CRM account, company name or employer (the organisation
    party each record's links point to, `customers.record_employers`), 1 the same work e-mail
    domain (not a public provider), 0 both have context and none of it agrees, -1 a side has none.

    The same full name at the same organisation is strong evidence even without shared contact details
    (a CRM contact and the subscriber who filled in the company field with a private e-mail)."""
    acc_l, acc_r = _sides(pairs, records, "organisation_record_key")
    org_l, org_r = _sides(pairs, records, "organisation_key")
    dom_l, dom_r = _sides(pairs, records, "work_domain")
    has_l = (acc_l.notna() | org_l.notna() | dom_l.notna()).to_numpy()
    has_r = (acc_r.notna() | org_r.notna() | dom_r.notna()).to_numpy()
    same_org = _same(acc_l, acc_r) | _same(org_l, org_r)
    if "employer" in records:
        same_org |= _same(*_sides(pairs, records, "employer"))
    level = np.select([same_org, _same(dom_l, dom_r), has_l & has_r], [2, 1, 0], default=-1)
    return level.astype(np.int8)


def _initial_fits(pairs: pd.MultiIndex, records: pd.DataFrame, options: str) -> np.ndarray:
    ini_l, ini_r = _sides(pairs, records, "first_initial")
    opts_l, opts_r = _sides(pairs, records, options)
    return np.array(
        [
            bool(a and b and ((isinstance(ob, str) and a in ob) or (isinstance(oa, str) and b in oa)))
            for a, b, oa, ob in zip(
                ini_l.to_numpy(), ini_r.to_numpy(), opts_l.to_numpy(), opts_r.to_numpy(), strict=True
            )
        ],
        dtype=bool,
    )


def initial_level(pairs: pd.MultiIndex, records: pd.DataFrame) -> np.ndarray:
    """First initials, only where a side has no full first name ('m. jacobs' vs 'rik jacobs'):
    `INITIAL_FITS` the bare initial fits the other side's name (also via its formal name: 'm.' fits
    'Tinus', Martinus), `INITIAL_CALLED` it fits only a name the other is called by ('h.' for Johannes
    called Hans, `standardise.called_initials`), 0 it does not, -1 otherwise (full names are compared
    by the first_name field)."""
    ini_l, ini_r = _sides(pairs, records, "first_initial")
    full_l, full_r = _sides(pairs, records, "first_name_std")
    applies = (ini_l.notna() & ini_r.notna() & (full_l.isna() | full_r.isna())).to_numpy()
    fits = _initial_fits(pairs, records, "first_initials")
    called = _initial_fits(pairs, records, "called_initials") if "called_initials" in records else fits
    level = np.select([~applies, fits, called], [-1, INITIAL_FITS, INITIAL_CALLED], default=0)
    return level.astype(np.int8)


def nickname_upgrade(level: np.ndarray, pairs: pd.MultiIndex, records: pd.DataFrame) -> np.ndarray:
    """First names compared as written as well as by their canonical form: nickname and formal name of
    each other ('Nel'/'Petronella') count as close, and a typo is graded on the name as typed ('Jan' vs
    'Jaan' or 'Jam'), since canonicalising one side ('jan' -> 'johannes') would turn it into a conflict.
    The better level counts."""
    low = np.flatnonzero((level >= 0) & (level < NAME_CLOSE))
    if len(low) == 0 or "first_name_raw" not in records:
        return level
    left, right = _sides(pairs[low], records, "first_name_raw")
    related = np.array([related_first_names(a, b) for a, b in zip(left, right, strict=True)], dtype=bool)
    typed = np.array(
        [
            _name_level_one(a, b) if isinstance(a, str) and isinstance(b, str) else -1
            for a, b in zip(left, right, strict=True)
        ],
        dtype=np.int8,
    )
    out = level.copy()
    out[low] = np.maximum(level[low], np.minimum(typed, NAME_CLOSE))
    out[low[related]] = NAME_CLOSE
    return out


def surname_upgrade(level: np.ndarray, pairs: pd.MultiIndex, records: pd.DataFrame) -> np.ndarray:
    """Surnames compared with their prefix as well ('vsn den berg' vs 'van den' + 'berg', 'dr boer' vs
    'de' + 'boer'): a mistyped prefix the standardisation could not split off is a typo, not another
    name. The better of the two levels counts."""
    low = np.flatnonzero((level >= 0) & (level < NAME_EXACT))
    if len(low) == 0 or "surname_full" not in records:
        return level
    left, right = _sides(pairs[low], records, "surname_full")
    full = np.array(
        [
            _name_level_one(a, b) if isinstance(a, str) and isinstance(b, str) else -1
            for a, b in zip(left, right, strict=True)
        ],
        dtype=np.int8,
    )
    out = level.copy()
    out[low] = np.maximum(level[low], full)
    return out


def _name_level_one(a: str, b: str) -> int:
    """Graded like `_name_level`, plus one keystroke apart (Damerau: a letter swapped, dropped, doubled or
    mistyped) counts as similar however short the name: Jaro-Winkler scores a swap in a short name
    ('Bos'/'Bso', 'Eva'/'Eba') as a different name, and a different name caps a pair as two people."""
    if a == b:
        return NAME_EXACT
    jw = jellyfish.jaro_winkler_similarity(a, b)
    if jw >= JW_CLOSE:
        return NAME_CLOSE
    if jw >= JW_SIMILAR:
        return NAME_SIMILAR
    return NAME_SIMILAR if one_keystroke_apart(a, b) else 0


def one_keystroke_apart(a: str, b: str) -> bool:
    """A letter swapped, dropped, doubled or mistyped (Damerau distance 1), in names of three letters or
    more: the typo the comparison grades as a similar name however short the name."""
    return min(len(a), len(b)) >= 3 and jellyfish.damerau_levenshtein_distance(a, b) == 1


def domain_level(pairs: pd.MultiIndex, records: pd.DataFrame) -> np.ndarray:
    """An organisation's e-mail domain (public providers excluded): 1 same, 0 differ, -1 missing.

    info@, facturen@ and crediteuren@ at one domain are one organisation's mailboxes."""
    left, right = _sides(pairs, records, "work_domain")
    present = (left.notna() & right.notna()).to_numpy()
    return np.where(present, np.where(_same(left, right), 1, 0), -1).astype(np.int8)


def dates_close(a: str, b: str) -> bool:
    """One typed digit apart, or day and month swapped: '1970-03-12' vs '1970-03-13' / '1970-12-03'."""
    if len(a) != len(b):
        return False
    if sum(x != y for x, y in zip(a, b, strict=True)) <= 1:
        return True
    return a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]


def date_level(pairs: pd.MultiIndex, records: pd.DataFrame) -> np.ndarray:
    """Birth dates: 2 equal, 1 a typing error apart (`dates_close`), 0 different, -1 missing."""
    left, right = _sides(pairs, records, "birth_date_key")
    present = (left.notna() & right.notna()).to_numpy()
    same = _same(left, right)
    close = np.array(
        [bool(p and not s and dates_close(a, b)) for a, b, p, s in zip(left, right, present, same, strict=True)],
        dtype=bool,
    )
    return np.select([~present, same, close], [-1, 2, 1], default=0).astype(np.int8)


def email_level(pairs: pd.MultiIndex, records: pd.DataFrame) -> np.ndarray:
    """Personal e-mail: 2 the same address, 1 the same distinctive mailbox name at another provider
    ('jvisser1984@ziggo.nl' and 'jvisser1984@gmail.com': `email_local`), 0 different, -1 missing."""
    left, right = _sides(pairs, records, "email_key")
    local_l, local_r = _sides(pairs, records, "email_local")
    present = (left.notna() & right.notna()).to_numpy()
    return np.select([~present, _same(left, right), _same(local_l, local_r)], [-1, 2, 1], default=0).astype(np.int8)


def house_level(pairs: pd.MultiIndex, records: pd.DataFrame) -> np.ndarray:
    """House numbers where a side has no postcode (the address field cannot compare them): 1 the same,
    0 different, -1 otherwise. With the same company name, the same number is the same premises."""
    post_l, post_r = _sides(pairs, records, "postcode")
    left, right = _sides(pairs, records, "house_number")
    applies = (left.notna() & right.notna() & (post_l.isna() | post_r.isna())).to_numpy()
    return np.where(applies, np.where(_same(left, right), 1, 0), -1).astype(np.int8)


CUSTOM_LEVELS = {
    "house": house_level,
    "email": email_level,
    "organisation": organisation_level,
    "initial": initial_level,
    "domain": domain_level,
    "date": date_level,
}


def levels_from_features(features: pd.DataFrame, fields: tuple[Field, ...]) -> pd.DataFrame:
    """Raw similarity features -> one int8 level column per field."""
    out = pd.DataFrame(index=features.index)
    for f in fields:
        if f.method in CUSTOM_METHODS:
            continue
        if f.method == "name":
            out[f.name] = _name_level(features[f"{f.name}__jw"], features[f"{f.name}__eq"])
        elif f.method == "exact":
            eq = features[f"{f.name}__eq"]
            out[f.name] = np.where(eq.isna(), -1, eq.fillna(0)).astype(np.int8)
        else:
            out[f.name] = _address_level(features[f"{f.name}__postcode"], features[f"{f.name}__house"])
    return out


def _chunks(pairs: pd.MultiIndex, size: int) -> Iterator[pd.MultiIndex]:
    for start in range(0, len(pairs), size):
        yield pairs[start : start + size]


def compare_levels(
    pairs: pd.MultiIndex, records: pd.DataFrame, fields: tuple[Field, ...], chunk_size: int = CHUNK_PAIRS
) -> pd.DataFrame:
    """Comparison levels for every candidate pair (index = the pairs), computed chunk by chunk."""
    if len(pairs) == 0:
        empty = pd.DataFrame({f.name: pd.Series(dtype=np.int8) for f in fields})
        empty.index = pairs
        return empty
    cmp = _compare(fields)
    parts = []
    for chunk in _chunks(pairs, chunk_size):
        part = levels_from_features(cmp.compute(chunk, records), fields).reindex(chunk)
        for f in fields:
            if f.method in CUSTOM_METHODS:
                part[f.name] = CUSTOM_LEVELS[f.method](chunk, records)
            elif f.name == "first_name":
                part[f.name] = nickname_upgrade(part[f.name].to_numpy(), chunk, records)
            elif f.name == "last_name":
                part[f.name] = surname_upgrade(part[f.name].to_numpy(), chunk, records)
        parts.append(part[[f.name for f in fields]])
    return pd.concat(parts)
