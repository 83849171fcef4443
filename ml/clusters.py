"""Customer clusters that mean something: k chosen by silhouette, each cluster described in plain words.

k-means on standardised RFM/value features (cluster_features), k from a configured range by
the best silhouette (on a sample for large books). Clusters are numbered by mean current value, highest
first, and profiled: size, share, centroid in the original units, and a label such as
"frequent small B2C buyers" or "occasional large B2B buyers, lapsed".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

PROFILE_COLUMNS = ["frequency", "monetary_avg", "days_since_last", "tenure_days", "current_value_12m"]


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


@dataclass
class Clustering:
    labels: pd.Series
    k: int
    silhouettes: dict[int, float]
    profiles: pd.DataFrame


def choose_k(scaled: np.ndarray, k_min: int = 2, k_max: int = 8, seed: int = 0, sample: int = 5000) -> dict[int, float]:
    """Silhouette per k in [k_min, k_max] (k limited by the distinct rows)."""
    distinct = len(np.unique(scaled, axis=0))
    out: dict[int, float] = {}
    for k in range(max(2, k_min), min(k_max, distinct - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(scaled)
        size = min(sample, len(scaled))
        out[k] = float(silhouette_score(scaled, labels, sample_size=size, random_state=seed))
    return out


def describe(centroid: pd.Series, overall: pd.DataFrame) -> str:
    """Plain words for one cluster's centroid compared with the whole book."""
    freq = centroid["frequency"]
    how_often = (
        "one-time" if freq < 0.5 else ("frequent" if freq >= overall["frequency"].quantile(0.75) else "occasional")
    )
    # spend on a log scale: more than ~1.6x the book's typical (geometric mean) spend is large, under 1/1.6x small
    typical = np.log1p(overall["monetary_avg"].clip(lower=0)).mean()
    gap = np.log1p(max(centroid["monetary_avg"], 0.0)) - typical
    size = "large" if gap > 0.5 else ("small" if gap < -0.5 else "mid-size")
    kind = "B2B" if centroid.get("organisation_share", 0.0) >= 0.5 else "B2C"
    words = f"{how_often} {size} {kind} buyers"
    if centroid["days_since_last"] > 365:
        words += ", lapsed"
    elif centroid["tenure_days"] < 180:
        words += ", new"
    return words


def profile(frame: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    """One row per cluster: size, share, centroid (means in original units) and the plain-words label."""
    data = frame[PROFILE_COLUMNS].astype(float).copy()
    if "customer_type" in frame:
        data["organisation_share"] = frame["customer_type"].astype(str).eq("organisation").astype(float)
    grouped = data.groupby(labels)
    out = grouped.mean()
    out.insert(0, "customers", grouped.size())
    out.insert(1, "share", out["customers"] / len(frame))
    out["description"] = [describe(row, data) for _, row in out.iterrows()]
    out.index.name = "cluster"
    return out.reset_index()


def cluster_customers(frame: pd.DataFrame, k_min: int = 2, k_max: int = 8, seed: int = 0) -> Clustering:
    """Buyers only (frequency/recency exist); k by silhouette; clusters ordered by mean current value."""
    buyers = frame[frame["days_since_last"].notna()]
    scaled = StandardScaler().fit_transform(cluster_features(buyers)) if len(buyers) else np.empty((0, 5))
    with threadpool_limits(1):
        sil = choose_k(scaled, k_min, k_max, seed) if len(buyers) > 2 else {}
        k = max(sil, key=sil.get) if sil else 1
        raw = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(scaled) if k > 1 else np.zeros(len(buyers))
    order = pd.Series(buyers["current_value_12m"].to_numpy(float)).groupby(raw).mean().sort_values(ascending=False)
    relabel = {old: new for new, old in enumerate(order.index)}
    labels = pd.Series([relabel[r] for r in raw], index=buyers.index, dtype=int)
    return Clustering(labels, k, sil, profile(buyers, labels) if len(buyers) else pd.DataFrame())
