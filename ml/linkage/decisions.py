"""Steward decisions: must-link / cannot-link pairs that every later linkage run respects.

Two sources, read together: the seed `dbt_project/seeds/identity_decisions.csv` (reviewed in git) and
the table `ml.identity_decisions`, written by `cvm identity decide`. The latest decision on a pair wins.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import psycopg

from ml.config import SEEDS_DIR

DECISIONS = ("must-link", "cannot-link")
COLUMNS = ["record_key_l", "record_key_r", "decision", "decided_by", "decided_at", "reason"]
DDL = """create table if not exists ml.identity_decisions (
    record_key_l text not null, record_key_r text not null, decision text not null
        check (decision in ('must-link', 'cannot-link')),
    decided_by text, decided_at timestamptz not null default now(), reason text,
    primary key (record_key_l, record_key_r))"""


class DecisionError(ValueError):
    """A malformed decision row (file, row and column named)."""


def normalise(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Validate decisions and order each pair (smaller key left), latest decision per pair kept."""
    missing = [c for c in ("record_key_l", "record_key_r", "decision") if c not in frame.columns]
    if missing:
        raise DecisionError(f"{source}: missing column(s) {', '.join(missing)}")
    df = frame.reindex(columns=COLUMNS).copy()
    for i, row in enumerate(df.itertuples(index=False), start=2):
        if row.decision not in DECISIONS:
            raise DecisionError(f"{source}, row {i}, column decision: {row.decision!r} is not must-link or cannot-link")
        for col in ("record_key_l", "record_key_r"):
            if not isinstance(getattr(row, col), str) or not getattr(row, col).strip():
                raise DecisionError(f"{source}, row {i}, column {col}: empty record key")
    left = df["record_key_l"].str.strip()
    right = df["record_key_r"].str.strip()
    df["record_key_l"], df["record_key_r"] = left.where(left < right, right), right.where(left < right, left)
    df["decided_at"] = pd.to_datetime(df["decided_at"], errors="coerce", utc=True)
    df = df.sort_values("decided_at", na_position="first", kind="stable")
    return df.drop_duplicates(["record_key_l", "record_key_r"], keep="last").reset_index(drop=True)


def read_seed(path: Path | None = None) -> pd.DataFrame:
    path = path or SEEDS_DIR / "identity_decisions.csv"
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS)
    return normalise(pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None), str(path))


def read_table(conn: psycopg.Connection) -> pd.DataFrame:
    conn.execute(DDL)
    rows = conn.execute(f"select {', '.join(COLUMNS)} from ml.identity_decisions").fetchall()
    return normalise(pd.DataFrame(rows, columns=COLUMNS), "ml.identity_decisions")


def combined(seed: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Seed and table decisions; on the same pair the later one wins (the table when undated)."""
    parts = [f for f in (seed, table) if len(f)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return normalise(pd.concat(parts, ignore_index=True), "decisions")


def record(conn: psycopg.Connection, left: str, right: str, decision: str, by: str | None, reason: str | None) -> None:
    """Insert or replace one decision (`cvm identity decide`)."""
    row = normalise(
        pd.DataFrame([{"record_key_l": left, "record_key_r": right, "decision": decision}]), "cvm identity decide"
    ).iloc[0]
    conn.execute(DDL)
    conn.execute(
        """insert into ml.identity_decisions (record_key_l, record_key_r, decision, decided_by, decided_at, reason)
           values (%s, %s, %s, %s, %s, %s)
           on conflict (record_key_l, record_key_r) do update set decision = excluded.decision,
               decided_by = excluded.decided_by, decided_at = excluded.decided_at, reason = excluded.reason""",
        (row.record_key_l, row.record_key_r, decision, by, datetime.now(UTC), reason),
    )


def pairs_of(decisions: pd.DataFrame, decision: str) -> list[tuple[str, str]]:
    sel = decisions[decisions["decision"].eq(decision)]
    return list(zip(sel["record_key_l"], sel["record_key_r"], strict=True))
