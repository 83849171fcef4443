"""Stable party and customer ids across runs, with merges and splits recorded.

A cluster keeps the previous id that most of its records carried (each old id goes to the one cluster
holding most of its records), so new data never renumbers existing customers. A cluster with no
previous id gets 'P-'/'C-' + 12 hex of a hash of its oldest record, so a re-run on the same data from
scratch also gives the same ids. Records whose id changed are reported as a merge (they joined a cluster
that kept an older id) or a split (they left for a new id).
"""

from __future__ import annotations

import hashlib

import pandas as pd

CHANGE_COLUMNS = ["old_id", "new_id", "kind", "records"]


def hashed_id(prefix: str, record_key: str, salt: int = 0) -> str:
    text = record_key if salt == 0 else f"{record_key}#{salt}"
    return f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def assign_stable_ids(
    groups: pd.Series,
    first_seen: pd.Series,
    previous: pd.Series,
    prefix: str,
) -> tuple[pd.Series, pd.DataFrame]:
    """Ids per record, plus the id changes (old_id, new_id, kind merge|split, records).

    groups: record_key -> current cluster label; first_seen: record_key -> timestamp (NaT allowed);
    previous: record_key -> id from the previous run (records absent there are new).
    """
    df = pd.DataFrame({"group": groups.astype(str)})
    df["old_id"] = previous.reindex(df.index)
    df["first_seen"] = pd.to_datetime(first_seen.reindex(df.index), utc=True, errors="coerce")
    df["record_key"] = df.index.astype(str)

    carried = df.dropna(subset=["old_id"]).groupby(["group", "old_id"]).size().reset_index(name="n")
    carried = carried.sort_values(["n", "old_id", "group"], ascending=[False, True, True])
    group_id: dict[str, str] = {}
    taken: set[str] = set()
    for g, old, _n in carried.itertuples(index=False, name=None):
        if g in group_id or old in taken:
            continue
        group_id[g] = old
        taken.add(old)

    used = set(previous.dropna().astype(str)) | taken
    oldest = df.sort_values(["first_seen", "record_key"], na_position="last").drop_duplicates("group")
    for g, rk in zip(oldest["group"], oldest["record_key"], strict=True):
        if g in group_id:
            continue
        salt = 0
        new = hashed_id(prefix, rk)
        while new in used:
            salt += 1
            new = hashed_id(prefix, rk, salt)
        group_id[g] = new
        used.add(new)

    ids = df["group"].map(group_id)
    moved = df.assign(new_id=ids).dropna(subset=["old_id"])
    moved = moved[moved["old_id"] != moved["new_id"]]
    if moved.empty:
        return ids, pd.DataFrame(columns=CHANGE_COLUMNS)
    changes = moved.groupby(["old_id", "new_id"]).size().reset_index(name="records")
    changes["kind"] = changes["new_id"].map(lambda i: "merge" if i in taken else "split")
    return ids, changes[CHANGE_COLUMNS].sort_values(["old_id", "new_id"]).reset_index(drop=True)
