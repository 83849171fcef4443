"""Value x potential segmentation (the seed articles' matrix) and k-means clusters.

value_class: among customers with revenue in the 12m window, the top share by current_value_12m is
'high' (80/20: most profit comes from 15-20% of customers), the rest 'low'; no revenue = 'none'.
potential_class: among customers with a purchase history, the top share by potential_score is 'high'.
segment: the marketer-edited segment_matrix seed, with 'new' for customers known too briefly to judge.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler


def quantile_class(values: pd.Series, eligible: pd.Series, quantile: float) -> pd.Series:
    """'high' for eligible rows at or above the quantile of the eligible values, else 'low'."""
    out = pd.Series("low", index=values.index, dtype=object)
    pool = values[eligible].dropna()
    if pool.empty:
        return out
    threshold = float(np.quantile(pool.to_numpy(dtype=float), quantile))
    out[eligible & values.ge(threshold)] = "high"
    return out


def value_classes(revenue_12m: pd.Series, current_value_12m: pd.Series, high_quantile: float) -> pd.Series:
    buyers = revenue_12m.gt(0)
    out = quantile_class(current_value_12m, buyers, high_quantile)
    out[~buyers] = "none"
    return out


def potential_classes(potential_score: pd.Series, high_quantile: float) -> pd.Series:
    """Only customers with a positive potential compete for 'high'; zero potential is always 'low'."""
    return quantile_class(potential_score, potential_score.fillna(0).gt(0), high_quantile)


def assign_segments(
    value_class: pd.Series,
    potential_class: pd.Series,
    tenure_days: pd.Series,
    matrix: dict[tuple[str, str], str],
    new_customer_days: int,
) -> pd.Series:
    segment = pd.Series(
        [matrix[(v, p)] for v, p in zip(value_class, potential_class, strict=True)],
        index=value_class.index,
        dtype=object,
    )
    segment[tenure_days.lt(new_customer_days).fillna(False)] = "new"
    return segment


def cluster_features(frame: pd.DataFrame) -> pd.DataFrame:
    """RFM + value features on comparable scales (logs for money and counts, signed log for value)."""
    return pd.DataFrame(
        {
            "frequency": np.log1p(frame["frequency"].fillna(0).astype(float)),
            "days_since_last": frame["days_since_last"].fillna(frame["tenure_days"]).fillna(0).astype(float),
            "monetary": np.log1p(frame["monetary_avg"].fillna(0).clip(lower=0).astype(float)),
            "value": np.sign(frame["current_value_12m"]) * np.log1p(frame["current_value_12m"].abs()),
            "tenure": frame["tenure_days"].fillna(0).astype(float),
        },
        index=frame.index,
    )


def kmeans_clusters(frame: pd.DataFrame, n_clusters: int, seed: int = 0) -> pd.Series:
    """k-means on standardised features; cluster 0 has the highest mean current value, then descending,
    so a cluster number means the same thing from run to run."""
    features = cluster_features(frame)
    k = max(1, min(n_clusters, len(features.drop_duplicates())))
    if len(features) == 0:
        return pd.Series(dtype=int, index=frame.index)
    if k == 1:
        return pd.Series(0, index=frame.index, dtype=int)
    scaled = StandardScaler().fit_transform(features)
    labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(scaled)
    order = (
        pd.Series(frame["current_value_12m"].to_numpy(dtype=float))
        .groupby(labels)
        .mean()
        .sort_values(ascending=False)
        .index
    )
    relabel = {old: new for new, old in enumerate(order)}
    return pd.Series([relabel[label] for label in labels], index=frame.index, dtype=int)
