"""Potential: what a customer could still become, not what they are worth already.

potential_score = headroom x P(still buying) + growth, where
- headroom = what similar customers are worth (the `peer_quantile` of predicted value among customers of
  the same type, tenure band and spend band) minus the customer's own predicted value, never below 0;
- P(still buying) = 1 - churn_risk, so a customer about to leave has little potential left to realise;
- growth = margin gained over the previous 12 months (last year's margin minus the year before), if any.

Classes are drawn *within* each value class: among customers of equal value, the top share by potential
is 'high'. Value and potential are then different axes by construction and every cell of the matrix holds
about (1 - quantile) of its value class, and at least min_cell_share of all customers. Ties are broken by
churn-adjusted value, then by id, so exactly the configured share is 'high' (a tie at the quantile used to
push 40% into 'high').
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_PEERS = 10


def _bands(values: pd.Series, n: int) -> pd.Series:
    """Quantile bands 0..n-1 (ties share a band; fewer bands when there are few distinct values)."""
    ranks = values.fillna(values.median() if values.notna().any() else 0).rank(method="average", pct=True)
    return np.minimum((ranks * n).astype(int), n - 1)


def peer_value(frame: pd.DataFrame, value_col: str = "clv_12m", peer_quantile: float = 0.8) -> pd.Series:
    """The `peer_quantile` of value among similar customers: same customer_type, tenure band and spend band
    (3 x 3 quantile bands); groups smaller than MIN_PEERS use the customer_type, then everyone."""
    value = frame[value_col].astype(float)
    ctype = frame["customer_type"].astype(str) if "customer_type" in frame else pd.Series("", index=frame.index)
    tenure = _bands(frame["tenure_days"].astype(float), 3)
    spend = _bands(frame["monetary_avg"].astype(float), 3)
    out = pd.Series(float(value.quantile(peer_quantile)), index=frame.index)
    for keys in ([ctype], [ctype, tenure, spend]):  # coarse first, finer groups overwrite where big enough
        grouped = value.groupby(keys)
        size = grouped.transform("size")
        q = grouped.transform(lambda s: s.quantile(peer_quantile))
        out = out.where(size < MIN_PEERS, q)
    return out


def potential_scores(frame: pd.DataFrame, value_col: str = "clv_12m", peer_quantile: float = 0.8) -> pd.DataFrame:
    """peer_value, headroom, growth and potential_score per customer (frame shaped like the feature table
    plus the model outputs: customer_type, tenure_days, monetary_avg, clv_12m, churn_risk, margin_12m,
    margin_previous_12m; missing columns count as 0 / unknown)."""
    value = frame[value_col].astype(float).fillna(0.0)
    peers = peer_value(frame.assign(**{value_col: value}), value_col, peer_quantile)
    retained = 1.0 - frame.get("churn_risk", pd.Series(0.5, index=frame.index)).astype(float).fillna(0.5)
    growth = (
        frame.get("margin_12m", pd.Series(0.0, index=frame.index)).astype(float).fillna(0.0)
        - frame.get("margin_previous_12m", pd.Series(0.0, index=frame.index)).astype(float).fillna(0.0)
    ).clip(lower=0.0)
    headroom = (peers - value).clip(lower=0.0)
    return pd.DataFrame(
        {
            "peer_value": peers,
            "headroom": headroom,
            "growth": growth,
            "churn_adjusted_value": value * retained,
            "potential_score": headroom * retained + growth,
        },
        index=frame.index,
    )


def _share_count(share: float, n: int) -> int:
    return int(np.ceil(share * n - 1e-9))


def top_share(score: pd.Series, tiebreak: pd.Series, high_quantile: float) -> pd.Series:
    """True for exactly ceil((1 - high_quantile) * n) rows: highest score, ties by tiebreak, then index."""
    return top_count(score, tiebreak, _share_count(1.0 - high_quantile, len(score)))


def top_count(score: pd.Series, tiebreak: pd.Series, k: int) -> pd.Series:
    """True for the k rows with the highest score, ties by tiebreak, then position."""
    n = len(score)
    order = pd.DataFrame({"s": score.fillna(-np.inf), "t": tiebreak.fillna(-np.inf), "i": np.arange(n)})
    order = order.sort_values(["s", "t", "i"], ascending=[False, False, True])
    out = pd.Series(False, index=score.index)
    out.iloc[order["i"].to_numpy()[:k]] = True
    return out


def potential_classes_within(
    potential_score: pd.Series,
    value_class: pd.Series,
    tiebreak: pd.Series,
    high_quantile: float,
    min_cell_share: float = 0.0,
) -> pd.Series:
    """'high' for the top (1 - high_quantile) share by potential within each value class, else 'low'.

    Each cell also gets at least `min_cell_share` of all customers where its value class holds twice
    that: with 80/20 quantiles the high/high cell is only 4% of the buyers of the last 12 months, which
    is under 2% of customers in a book where most bought longer ago (CDNOW: 1.4%).
    """
    out = pd.Series("low", index=potential_score.index, dtype=object)
    floor = _share_count(min_cell_share, len(potential_score))
    for cls in value_class.dropna().unique():
        mask = value_class.eq(cls)
        n = int(mask.sum())
        k = _share_count(1.0 - high_quantile, n)
        if n >= 2 * floor:
            k = min(max(k, floor), n - floor)
        high = top_count(potential_score[mask], tiebreak[mask], k)
        out[high[high].index] = "high"
    return out
