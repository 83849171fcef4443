"""Candidate pairs: several recordlinkage blocking passes, unioned; never a full cross product.

Each pass only pairs records that share a key (an e-mail, a phone, an address, a registry number, a
phonetic name within a postcode area). Key values shared by more than `max_block_size` records are
skipped in that pass (a call-centre phone number, a shared office address), so the number of pairs
grows near-linearly with the records while the other passes still cover those records.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import recordlinkage


@dataclass(frozen=True)
class BlockPass:
    """One blocking pass: exact keys (`on`), or a sorted-neighbourhood window over `sort_on` within `on`."""

    name: str
    on: tuple[str, ...] = ()
    sort_on: str | None = None
    window: int = 5
    max_block_size: int | None = None  # tighter than the run's cap for passes on names alone


NAME_BLOCK_SIZE = 20

PERSON_PASSES: tuple[BlockPass, ...] = (
    BlockPass("email", on=("email_key",)),
    BlockPass("email_local", on=("email_local",)),
    BlockPass("phone", on=("phone",)),
    BlockPass("address", on=("address_key",)),
    BlockPass("iban", on=("iban",)),
    BlockPass("personal_id", on=("personal_id",)),
    BlockPass("birth_date_name", on=("birth_date_key", "last_name_key")),
    # a full name alone is capped at name_only_max_probability, so a namesake block (every 'jan de jong')
    # only feeds EM quadratic numbers of pairs: small blocks only, which keeps the pairs near-linear
    BlockPass("name", on=("last_name_key", "first_name_std"), max_block_size=NAME_BLOCK_SIZE),
    # colleagues' records meet within their organisation (a helpdesk call logged as 'Visser, Bakkerij X')
    BlockPass("last_name_at_organisation", on=("last_name_key", "organisation_key")),
    BlockPass("last_name_at_work_domain", on=("last_name_key", "work_domain")),
    # a subscriber who gave a first name and the company only ('Jesse', 'Marstostobel Dental')
    BlockPass("first_name_at_organisation", on=("first_name_std", "organisation_key")),
    # ... and at the employer their links point to (`customers.record_employers`): a CRM contact of the
    # account and a subscriber naming the company, or a requester writing from its mail domain
    BlockPass("last_name_at_employer", on=("last_name_key", "employer")),
    BlockPass("first_name_at_employer", on=("first_name_std", "employer")),
    BlockPass("last_name_in_postcode4", on=("postcode4",), sort_on="last_name", window=5),
)

ORGANISATION_PASSES: tuple[BlockPass, ...] = (
    BlockPass("kvk", on=("kvk_number",)),
    BlockPass("vat", on=("vat_number",)),
    BlockPass("iban", on=("iban",)),
    BlockPass("email", on=("email",)),
    BlockPass("phone", on=("phone",)),
    BlockPass("address", on=("address_key",)),
    BlockPass("name", on=("organisation_key",)),
    # info@, facturen@, contact@ of one own (not public) domain: one organisation's mailboxes
    BlockPass("mail_domain", on=("work_domain",)),
    BlockPass("name_sorted", sort_on="organisation_key", window=5),
)


def _capped(df: pd.DataFrame, keys: tuple[str, ...], max_block_size: int) -> pd.DataFrame:
    """df[keys] with rows whose key combination is shared by too many records blanked out."""
    sub = df[list(keys)].copy()
    complete = sub.notna().all(axis=1)
    if not complete.any():
        return sub.iloc[0:0]
    sizes = sub[complete].groupby(list(keys), dropna=True)[keys[0]].transform("size")
    keep = sizes[sizes <= max_block_size].index
    return sub.loc[keep]


def _normalised(pairs: pd.MultiIndex) -> pd.MultiIndex:
    """Pairs as (smaller key, larger key), deduplicated, self-pairs removed."""
    if len(pairs) == 0:
        return pd.MultiIndex.from_arrays([[], []], names=["record_key_l", "record_key_r"])
    left = pairs.get_level_values(0).astype(str)
    right = pairs.get_level_values(1).astype(str)
    frame = pd.DataFrame({"l": left.where(left < right, right), "r": right.where(left < right, left)})
    frame = frame[frame["l"] != frame["r"]].drop_duplicates()
    return pd.MultiIndex.from_frame(frame, names=["record_key_l", "record_key_r"])


def run_pass(df: pd.DataFrame, bp: BlockPass, max_block_size: int) -> pd.MultiIndex:
    """Pairs of one pass over df (indexed by record_key)."""
    if bp.max_block_size is not None:
        max_block_size = min(max_block_size, bp.max_block_size)
    if bp.sort_on is None:
        sub = _capped(df, bp.on, max_block_size)
        if len(sub) < 2:
            return _normalised(pd.MultiIndex.from_arrays([[], []]))
        indexer = recordlinkage.Index()
        indexer.block(left_on=list(bp.on))
        return _normalised(indexer.index(sub))
    cols = [bp.sort_on, *bp.on]
    sub = df[cols].dropna()
    if bp.on:
        sub = sub.loc[_capped(sub, bp.on, max_block_size).index]
    return sorted_neighbourhood(sub, bp.sort_on, bp.on, bp.window)


def sorted_neighbourhood(sub: pd.DataFrame, sort_on: str, within: tuple[str, ...], window: int) -> pd.MultiIndex:
    """Pair each record with the next `window - 1` records in sort order inside its `within` group.

    recordlinkage's SortedNeighbourhood ranks the sorting key over all records, so inside a small
    block (one postcode area) true neighbours can be many ranks apart; this ranks within the block.
    """
    if len(sub) < 2:
        return _normalised(pd.MultiIndex.from_arrays([[], []]))
    ordered = sub.sort_values(
        [
            *within,
            sort_on,
        ]
    ).reset_index()
    key_col = ordered.columns[0]
    group = ordered[list(within)].astype(str).agg("|".join, axis=1) if within else pd.Series("", index=ordered.index)
    lefts: list[pd.Series] = []
    rights: list[pd.Series] = []
    for step in range(1, max(window, 2)):
        same = group.eq(group.shift(-step))
        lefts.append(ordered[key_col][same])
        rights.append(ordered[key_col].shift(-step)[same])
    left = pd.concat(lefts) if lefts else pd.Series(dtype=object)
    right = pd.concat(rights) if rights else pd.Series(dtype=object)
    return _normalised(pd.MultiIndex.from_arrays([left.to_numpy(), right.to_numpy()]))


def candidate_pairs(
    df: pd.DataFrame, passes: tuple[BlockPass, ...], max_block_size: int = 500
) -> tuple[pd.MultiIndex, dict[str, int]]:
    """Union of all passes, plus the number of pairs each pass produced (for the run log)."""
    found: list[pd.MultiIndex] = []
    counts: dict[str, int] = {}
    for bp in passes:
        pairs = run_pass(df, bp, max_block_size)
        counts[bp.name] = len(pairs)
        found.append(pairs)
    if not found:
        return _normalised(pd.MultiIndex.from_arrays([[], []])), counts
    union = found[0]
    for pairs in found[1:]:
        union = union.union(pairs)
    return _normalised(union), counts
