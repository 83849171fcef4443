"""Linkage quality against a truth table (the demo generator's truth/records.csv, or FEBRL later).

Pair metrics count record pairs placed together: precision = correct pairs / predicted pairs,
recall = correct pairs / true pairs. Cluster metrics say how many true entities came out exactly right.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd
from sklearn.metrics import adjusted_rand_score


@dataclass(frozen=True)
class LinkageScores:
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    true_clusters: int
    predicted_clusters: int
    exact_clusters: float  # share of true clusters reproduced exactly
    adjusted_rand: float
    bcubed_precision: float = 1.0
    bcubed_recall: float = 1.0
    bcubed_f1: float = 1.0

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def truth_record_keys(truth: pd.DataFrame) -> pd.Series:
    return truth["source_system"] + ":" + truth["source_entity"] + ":" + truth["source_record_id"].astype(str)


def bcubed(df: pd.DataFrame) -> tuple[float, float, float]:
    """B-cubed precision/recall/F1 (Bagga & Baldwin): per record, the share of its predicted cluster that
    truly belongs with it, and the share of its true cluster found with it; averaged over records.
    Unlike pair counts it weighs every record equally, so one huge false merge does not dominate."""
    if df.empty:
        return 1.0, 1.0, 1.0
    both = df.groupby(["t", "p"])["t"].transform("size")
    precision = float((both / df.groupby("p")["p"].transform("size")).mean())
    recall = float((both / df.groupby("t")["t"].transform("size")).mean())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score_clusters(truth_ids: pd.Series, predicted_ids: pd.Series) -> LinkageScores:
    """Both Series map record_key -> entity id; only records present in both count."""
    df = pd.DataFrame({"t": truth_ids, "p": predicted_ids}).dropna()
    true_pairs = _pairs(df.groupby("t").size())
    pred_pairs = _pairs(df.groupby("p").size())
    correct = _pairs(df.groupby(["t", "p"]).size())
    precision = correct / pred_pairs if pred_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    t_sets = df.groupby("t")["p"].agg(lambda s: frozenset(s.index))
    p_sets = set(df.groupby("p")["t"].agg(lambda s: frozenset(s.index)))
    exact = sum(1 for s in t_sets if s in p_sets) / len(t_sets) if len(t_sets) else 1.0
    b_precision, b_recall, b_f1 = bcubed(df)
    return LinkageScores(
        records=len(df),
        true_pairs=true_pairs,
        predicted_pairs=pred_pairs,
        correct_pairs=correct,
        precision=precision,
        recall=recall,
        f1=f1,
        true_clusters=int(df["t"].nunique()),
        predicted_clusters=int(df["p"].nunique()),
        exact_clusters=exact,
        adjusted_rand=float(adjusted_rand_score(df["t"], df["p"])) if len(df) else 1.0,
        bcubed_precision=b_precision,
        bcubed_recall=b_recall,
        bcubed_f1=b_f1,
    )


def evaluate(truth: pd.DataFrame, identity_records: pd.DataFrame) -> dict[str, LinkageScores]:
    """Party and customer scores of ml.identity_records-shaped output against the truth table."""
    keys = truth_record_keys(truth)
    pred = identity_records.set_index("record_key")
    return {
        level: score_clusters(pd.Series(truth[f"{level}_id"].to_numpy(), index=keys), pred[f"{level}_id"])
        for level in ("party", "customer")
    }


def blocking_recall(candidate_pairs: pd.MultiIndex, truth: pd.DataFrame) -> float:
    """Pair completeness of blocking: share of true party pairs among the candidate pairs."""
    keys = truth_record_keys(truth)
    t = pd.Series(truth["party_id"].to_numpy(), index=keys)
    true_pairs = _pairs(t.groupby(t).size())
    if not true_pairs:
        return 1.0
    left = t.reindex(candidate_pairs.get_level_values(0)).to_numpy()
    right = t.reindex(candidate_pairs.get_level_values(1)).to_numpy()
    found = int(((left == right) & pd.notna(left)).sum())
    return found / true_pairs
