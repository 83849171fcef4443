"""Look-alikes (seed 003: "nieuwe klanten werven die vergelijkbaar zijn met uw beste klanten").

A logistic regression learns, on customers, which traits known *before* a first purchase (customer type,
region, acquisition source, marketing engagement, ...) go with becoming a best customer. It then scores
parties known from marketing or service who never bought. Each prospect gets the probability, the three
traits that raise it most in plain words, and its consent flags passed through unchanged, so a campaign
can only use the channels the person agreed to.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


class LookalikeError(ValueError):
    """Too few customers of either kind to learn from."""


def _design(frame: pd.DataFrame, features: list[str], categories: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Numbers as they are (NaN -> 0), text columns one-hot with the categories seen in training."""
    parts = []
    for col in features:
        values = frame[col] if col in frame else pd.Series(np.nan, index=frame.index)
        if categories is not None and col in categories or (categories is None and values.dtype == object):
            levels = categories[col] if categories is not None else sorted(values.dropna().astype(str).unique())
            parts.append(pd.DataFrame({f"{col}={lv}": values.astype(str).eq(lv).astype(float) for lv in levels}))
        else:
            parts.append(pd.to_numeric(values, errors="coerce").fillna(0.0).astype(float).rename(col).to_frame())
    return pd.concat(parts, axis=1)


def score_lookalikes(
    customers: pd.DataFrame,
    is_best: pd.Series,
    prospects: pd.DataFrame,
    features: list[str],
    consent_columns: tuple[str, ...] = ("email_opt_in", "phone_opt_in"),
    min_class: int = 10,
) -> pd.DataFrame:
    """Prospects with lookalike_score (P(would become a best customer)), reasons and consent flags."""
    is_best = is_best.reindex(customers.index).fillna(False).astype(bool)
    if is_best.sum() < min_class or (~is_best).sum() < min_class:
        raise LookalikeError(
            f"look-alikes need {min_class} best and {min_class} other customers; got {int(is_best.sum())} and "
            f"{int((~is_best).sum())}"
        )
    train = _design(customers, features)
    categories = {
        col: sorted(customers[col].dropna().astype(str).unique()) for col in features if customers[col].dtype == object
    }
    scaler = StandardScaler().fit(train)
    model = LogisticRegression(max_iter=1000, C=0.5, class_weight="balanced").fit(scaler.transform(train), is_best)
    rate = is_best.mean()
    design = _design(prospects, features, categories)[train.columns]
    x = scaler.transform(design)
    raw = model.predict_proba(x)[:, 1]
    # class_weight balances the classes; map back to the real base rate so the score is a probability
    odds = raw / (1 - raw) * rate / (1 - rate)
    out = pd.DataFrame(index=prospects.index)
    out["lookalike_score"] = odds / (1 + odds)
    contrib = x * model.coef_[0]
    # a reason is a trait the prospect has: not the absence of another category ("type is person" for a firm)
    absent = np.array(["=" in c for c in train.columns]) & (design.to_numpy() == 0)
    contrib[absent] = -np.inf
    names = np.array(train.columns)
    top = np.argsort(-contrib, axis=1)[:, :3]
    out["reasons"] = [
        "; ".join(_reason(names[j], prospects.iloc[i], features) for j in row if contrib[i, j] > 0) or "no strong trait"
        for i, row in enumerate(top)
    ]
    for col in consent_columns:
        out[col] = prospects.get(col, pd.NA)
    return out.sort_values("lookalike_score", ascending=False)


def _reason(column: str, row: pd.Series, features: list[str]) -> str:
    if "=" in column:
        col, level = column.split("=", 1)
        return f"{col} is {level}, like many best customers"
    if column.startswith("has_"):  # the 0/1 traits of prospect_traits
        known = "known" if row.get(column) else "not known"
        return f"{column.removeprefix('has_')} {known}, like many best customers"
    return f"{column} {row.get(column)} is typical of best customers"


TRAITS = ["customer_type", "postcode_area", "has_email", "has_phone", "has_kvk"]


def prospect_traits(customers: pd.DataFrame) -> pd.DataFrame:
    """Traits a party has before any purchase, from int_customers columns (customer_id, customer_type,
    postcode, email, phone, kvk_number): type, postcode area (the 2 leading digits: a region) and which
    contact details are known."""
    out = pd.DataFrame(index=pd.Index(customers["customer_id"].astype(str), name="customer_id"))
    out["customer_type"] = customers["customer_type"].fillna("unknown").astype(str).to_numpy()
    digits = customers["postcode"].astype("string").str.extract(r"^\s*(\d{2})", expand=False)
    out["postcode_area"] = digits.fillna("unknown").astype(str).to_numpy()
    for col, name in (("email", "has_email"), ("phone", "has_phone"), ("kvk_number", "has_kvk")):
        out[name] = customers[col].notna().astype(float).to_numpy() if col in customers else 0.0
    return out
