"""Clusters that do not chain: links are accepted strongest first, never joining records that conflict.

A party cannot hold two birth dates, two KvK numbers, or two first names that are not spelling variants
of each other; nor two records a steward declared different (cannot-link). 'The same first name' is the
comparison's: equal, nickname and formal name, a spelling variant, or a rare typo of a name read as that
name ('hnedrik' beside Hendrik and his call name Henk, `name_readings`); two real names a keystroke apart
('tim'/'tom') remain two people. A link that would put such
records in one cluster is refused, so a household's shared bridge record (no first name, the family
mailbox) joins the member it matches best and cannot fuse the others into it: the cluster is split at
its weakest link. A record without a first name (a debtor 'Visser', a fam.visser@ subscriber) does not
join a cluster whose bank accounts are all different from its own: at one address the surname says
'household', the account says which member (a sparse debtor paying from another account is another
person). Likewise a record without a surname ('Bas' at the company) cannot join two clusters whose
surnames differ: two colleagues who share a first name. Must-link decisions are applied first and always
hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jellyfish
import numpy as np
import pandas as pd

from ml.linkage.compare import dates_close, one_keystroke_apart
from ml.linkage.standardise import formal_names, nicknames, related_first_names

NAME_VARIANT_JW = 0.88  # first names at or above this Jaro-Winkler are spelling variants (typos)
TYPO_RATIO = 10  # a first name this many times rarer than one a keystroke away is read as its typo


@dataclass
class Profile:
    """What a cluster holds of the conflicting attributes."""

    members: set[int]
    names: set[str] = field(default_factory=set)  # first names as written (not bare initials)
    readings: dict[str, frozenset[str]] = field(default_factory=dict)  # name -> itself, or what it mistypes
    allowed: set[str] | None = None  # initials every name in the cluster may use (None: no names)
    bare: set[str] = field(default_factory=set)  # bare initials ('m.') of records without a first name
    exclusive: dict[str, str] = field(default_factory=dict)  # column -> the one value allowed
    ibans: set[str] = field(default_factory=set)  # bank accounts of the cluster's records
    surnames: set[str] = field(default_factory=set)  # surnames (with prefix) of the cluster's records


def _variants(x: str, y: str) -> bool:
    """Spelling variants or nickname and formal name of one another ('kees'/'cornelis')."""
    return x == y or related_first_names(x, y) or jellyfish.jaro_winkler_similarity(x, y) >= NAME_VARIANT_JW


def _same_first_name(rx: frozenset[str], ry: frozenset[str]) -> bool:
    """One person's first name written twice, each read as written or as the name it mistypes
    (`name_readings`): 'hnedrik' (Hendrik) and 'henk' (Hendrik's call name), 'kers' and 'kees'. The
    comparison grades all of these as the same or a similar name (`compare.nickname_upgrade`)."""
    return any(_variants(x, y) for x in rx for y in ry)


def _names_compatible(a: Profile, b: Profile) -> bool:
    return all(
        _same_first_name(a.readings.get(x, frozenset({x})), b.readings.get(y, frozenset({y})))
        for x in a.names
        for y in b.names
    )


def name_readings(names: pd.Series) -> dict[str, frozenset[str]]:
    """Each first name -> itself and the names it may be a typo of: a name one keystroke away (`compare.
    one_keystroke_apart`) written on at least `TYPO_RATIO` times as many records ('hnedrik' once,
    'hendrik' 200 times), the name itself not in the nickname seed. Real names one keystroke apart
    ('tim'/'tom', 'riek'/'rick', 'hendrik'/'hendrika') occur at comparable rates, so in a household they
    stay two people; a typo is rare beside the name it mistypes."""
    counts = names.dropna().value_counts()
    seed = set(nicknames()) | {f for forms in nicknames().values() for f in forms}
    by_length: dict[int, list[tuple[str, int]]] = {}
    for name, n in counts.items():
        by_length.setdefault(len(name), []).append((name, int(n)))
    out = {}
    for name, n in counts.items():
        readings = {name}
        if name not in seed:
            for size in (len(name) - 1, len(name), len(name) + 1):
                readings |= {
                    other
                    for other, m in by_length.get(size, [])
                    if m >= TYPO_RATIO * n and one_keystroke_apart(name, other)
                }
        out[name] = frozenset(readings)
    return out


def _initials(readings: frozenset[str]) -> set[str]:
    """Initials a person written with one of these names may use (formal names included: 'tinus' -> m)."""
    return {f[0] for r in readings for f in formal_names(r)}


def _merged_allowed(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    if a is None or b is None:
        return a if b is None else b
    return a & b


def refusal(a: Profile, b: Profile, cannot: dict[int, set[int]], names: bool = True, dates: bool = True) -> str | None:
    """Why two clusters may not merge (the conflicting attribute), or None when they may; `names=False`
    skips the first-name checks (a link strong enough on birth date and identifiers to outweigh a mistyped
    or swapped name), `dates=False` the birth-date check (full name and two identifiers outweigh a
    mistyped date, `score.birth_date_outweighed`). The reason names the guard, for diagnosis."""
    for col, value in a.exclusive.items():
        other = b.exclusive.get(col, value)
        if col == "birth_date_key" and (not dates or dates_close(value, other)):
            continue
        if other != value:
            return col
    small, large = (a, b) if len(a.members) <= len(b.members) else (b, a)
    if any(cannot.get(x, set()) & large.members for x in small.members):
        return "cannot_link"
    if not names:
        return None
    bare = a.bare | b.bare
    allowed = _merged_allowed(a.allowed, b.allowed)
    # a bare initial may also be that of a name the cluster is written with ('h.' with Johannes and Hans)
    fits = (allowed or set()) | {n[0] for n in a.names | b.names}
    # two bare initials are two people, unless a named record accounts for both ('s.' and 'j.' with Sjef,
    # Jozef); records without any first name cannot tell which of the household they are
    if len(bare) > 1 and (allowed is None or not bare <= fits):
        return "bare_initials"
    if allowed is not None and (not allowed or not bare <= fits):
        return "initials"
    if (not a.names or not b.names) and a.ibans and b.ibans and not a.ibans & b.ibans:
        return "iban_without_first_name"
    if a.names and b.names and not _names_compatible(a, b):
        return "first_names"
    return None


def _column(records: pd.DataFrame, name: str) -> np.ndarray:
    return records[name].to_numpy() if name in records else np.full(len(records), None, dtype=object)


def _profiles(records: pd.DataFrame, exclusive: tuple[str, ...]) -> list[Profile]:
    names, initials = _column(records, "first_name_raw"), _column(records, "first_initials")
    readings = name_readings(pd.Series(names, dtype=object))
    out = []
    for i, (name, ini) in enumerate(zip(names, initials, strict=True)):
        p = Profile(members={i})
        if isinstance(name, str) and name:
            p.names.add(name)
            p.readings[name] = readings[name]
            p.allowed = (set(ini) if isinstance(ini, str) else set()) | _initials(readings[name])
        elif isinstance(ini, str) and ini:
            p.bare.add(ini[0])
        out.append(p)
    for i, v in enumerate(_column(records, "iban")):
        if isinstance(v, str) and v:
            out[i].ibans.add(v)
    for i, v in enumerate(_column(records, "surname_full")):
        if isinstance(v, str) and v:
            out[i].surnames.add(v)
    for col in exclusive:
        if col not in records:
            continue
        for i, v in enumerate(records[col].to_numpy()):
            if isinstance(v, str) and v:
                out[i].exclusive[col] = v
    return out


def _surnames_compatible(a: set[str], b: set[str]) -> bool:
    return all(x in y or y in x or jellyfish.jaro_winkler_similarity(x, y) >= NAME_VARIANT_JW for x in a for y in b)


def _surname_bridge(profiles: list[Profile], own: np.ndarray, x: int, y: int, ra: int, rb: int) -> bool:
    """A record without a surname ('Bas' at the company, a helpdesk requester) linking two clusters whose
    surnames differ: two colleagues of one first name, which it cannot join. A link whose two records
    both carry a surname was weighed by the model (a married name on one personal mailbox) and passes."""
    if own[x] and own[y]:
        return False
    a, b = profiles[ra].surnames, profiles[rb].surnames
    return bool(a and b) and not _surnames_compatible(a, b)


def edge_refusals(
    records: pd.DataFrame,
    left: np.ndarray,
    right: np.ndarray,
    prob: np.ndarray,
    exclusive: tuple[str, ...] = (),
    must_link: list[tuple[int, int]] | None = None,
    cannot_link: list[tuple[int, int]] | None = None,
    vouched: np.ndarray | None = None,
    dates_outweighed: np.ndarray | None = None,
) -> np.ndarray:
    """Per edge (positions into `records`) why it was refused ('' when kept: `constrained_edges`).

    Union-find over edges strongest first (ties by position, so deterministic); an edge joining two
    clusters is kept only if their profiles are compatible; an edge inside one cluster is kept. A
    `vouched` edge (birth date and another identifier agree, `score.vouched`) may join clusters whose
    first names differ: a mistyped or swapped name on one person.
    """
    profiles = _profiles(records, exclusive)
    has_surname = np.array([bool(p.surnames) for p in profiles], dtype=bool)
    skip_names = vouched if vouched is not None else np.zeros(len(left), dtype=bool)
    skip_dates = dates_outweighed if dates_outweighed is not None else np.zeros(len(left), dtype=bool)
    parent = list(range(len(records)))
    cannot: dict[int, set[int]] = {}
    for a, b in cannot_link or []:
        cannot.setdefault(a, set()).add(b)
        cannot.setdefault(b, set()).add(a)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(ra: int, rb: int) -> None:
        pa, pb = profiles[ra], profiles[rb]
        if len(pa.members) < len(pb.members):
            ra, rb, pa, pb = rb, ra, pb, pa
        parent[rb] = ra
        pa.members |= pb.members
        pa.names |= pb.names
        pa.readings.update(pb.readings)
        pa.allowed = _merged_allowed(pa.allowed, pb.allowed)
        pa.bare |= pb.bare
        pa.ibans |= pb.ibans
        pa.surnames |= pb.surnames
        for col, v in pb.exclusive.items():
            pa.exclusive.setdefault(col, v)

    for a, b in must_link or []:
        ra, rb = find(a), find(b)
        if ra != rb:
            union(ra, rb)
    why = np.full(len(left), "", dtype=object)
    for i in np.lexsort((np.arange(len(left)), -prob)):
        ra, rb = find(int(left[i])), find(int(right[i]))
        if ra == rb:
            continue
        if not skip_names[i] and _surname_bridge(profiles, has_surname, int(left[i]), int(right[i]), ra, rb):
            why[i] = "surname_bridge"
            continue
        reason = refusal(profiles[ra], profiles[rb], cannot, names=not skip_names[i], dates=not skip_dates[i])
        if reason:
            why[i] = reason
        else:
            union(ra, rb)
    return why


def constrained_edges(
    records: pd.DataFrame,
    left: np.ndarray,
    right: np.ndarray,
    prob: np.ndarray,
    exclusive: tuple[str, ...] = (),
    must_link: list[tuple[int, int]] | None = None,
    cannot_link: list[tuple[int, int]] | None = None,
    vouched: np.ndarray | None = None,
    dates_outweighed: np.ndarray | None = None,
) -> np.ndarray:
    """Boolean mask over the edges (positions into `records`): kept or refused (`edge_refusals`)."""
    why = edge_refusals(records, left, right, prob, exclusive, must_link, cannot_link, vouched, dates_outweighed)
    return why == ""
