"""Value x potential segmentation (the seed articles' matrix).

value_class: among customers with revenue in the 12m window, exactly the top share by current_value_12m is
'high' (80/20: most profit comes from 15-20% of customers; ties broken by revenue, then id), the rest 'low';
no revenue = 'none'. potential_class (ml.potential) is drawn within each value class.
segment: the marketer-edited segment_matrix seed, with 'new' for customers known too briefly to judge.
"""

from __future__ import annotations

import pandas as pd

from ml.potential import top_share


def value_classes(revenue_12m: pd.Series, current_value_12m: pd.Series, high_quantile: float) -> pd.Series:
    buyers = revenue_12m.gt(0)
    out = pd.Series("none", index=revenue_12m.index, dtype=object)
    high = top_share(current_value_12m[buyers], revenue_12m[buyers], high_quantile)
    out[buyers] = "low"
    out[high[high].index] = "high"
    return out


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
