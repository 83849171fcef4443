"""Comparison vectors: recordlinkage Compare similarities, then graded levels per field.

A level is an int: -1 = a value is missing on either side (neutral: it adds no evidence either way),
0 = disagree, higher = stronger agreement. Levels, not raw similarities, go to the Fellegi-Sunter model
in `score.py`, so the model learns one m/u probability per level.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import recordlinkage

CHUNK_PAIRS = 200_000  # compare in chunks so memory stays flat however many pairs blocking yields


@dataclass(frozen=True)
class Field:
    """One compared field: the column, how it is compared, and the number of levels (excl. missing)."""

    name: str
    column: str
    method: str  # 'name' (Jaro-Winkler graded) | 'exact' | 'address'
    levels: int
    identifying: bool  # agreement identifies the party on its own (used by the name-only guard)


PERSON_FIELDS: tuple[Field, ...] = (
    Field("first_name", "first_name_std", "name", 4, False),
    Field("last_name", "last_name", "name", 4, False),
    Field("email", "email_key", "exact", 2, True),
    Field("phone", "phone", "exact", 2, True),
    Field("address", "postcode", "address", 4, True),
    Field("birth_date", "birth_date_key", "exact", 2, True),
    Field("iban", "iban", "exact", 2, True),
)

ORGANISATION_FIELDS: tuple[Field, ...] = (
    Field("organisation_name", "organisation_key", "name", 4, False),
    Field("kvk", "kvk_number", "exact", 2, True),
    Field("vat", "vat_number", "exact", 2, True),
    Field("iban", "iban", "exact", 2, True),
    Field("email", "email", "exact", 2, True),
    Field("phone", "phone", "exact", 2, True),
    Field("address", "postcode", "address", 4, True),
)

NAME_EXACT, NAME_CLOSE, NAME_SIMILAR = 3, 2, 1
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


def levels_from_features(features: pd.DataFrame, fields: tuple[Field, ...]) -> pd.DataFrame:
    """Raw similarity features -> one int8 level column per field."""
    out = pd.DataFrame(index=features.index)
    for f in fields:
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
    parts = [levels_from_features(cmp.compute(chunk, records), fields) for chunk in _chunks(pairs, chunk_size)]
    return pd.concat(parts)
