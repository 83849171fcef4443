"""Churn risk: a calibrated logistic regression trained on a time split.

Training rows are the customers who had bought by `as_of - 12 months`, described by features as of that
cutoff; the label says whether they then bought nothing in (cutoff, as_of]. The fitted model is applied to
features as of `as_of`, so churn_risk is the probability of no purchase in the coming 12 months. With too
few training customers (or too few of either class) churn_risk falls back to 1 - p_alive, and the run
records that instead of pretending to have a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ml.rfm import rfm_summary
from ml.value import current_value, window_start

FEATURES = [
    "log_frequency",
    "days_since_last",
    "T_days",
    "log_monetary",
    "log_revenue_12m",
    "purchases_12m",
    "contacts_12m",
    "log_contact_cost_12m",
]


@dataclass
class ChurnResult:
    churn_risk: pd.Series
    metrics: dict[str, object] = field(default_factory=dict)


def churn_features(customer_ids: pd.Index, invoices: pd.DataFrame, contacts: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Features as of a date, for customers who had bought by then (others are not in the frame)."""
    rfm = rfm_summary(customer_ids, invoices, as_of)
    rfm = rfm[rfm["T_days"].notna()]
    value = current_value(rfm.index, invoices, contacts, as_of)
    start = window_start(as_of)
    recent = contacts[contacts["customer_id"].isin(rfm.index)]
    recent = recent[
        pd.to_datetime(recent["occurred_on"]).gt(start) & pd.to_datetime(recent["occurred_on"]).le(pd.Timestamp(as_of))
    ]
    inv = invoices[invoices["customer_id"].isin(rfm.index)]
    inv_dates = pd.to_datetime(inv["invoice_date"])
    inv = inv[inv_dates.gt(start) & inv_dates.le(pd.Timestamp(as_of))]
    out = pd.DataFrame(index=rfm.index)
    out["log_frequency"] = np.log1p(rfm["frequency"].astype(float))
    out["days_since_last"] = rfm["days_since_last"].astype(float)
    out["T_days"] = rfm["T_days"].astype(float)
    out["log_monetary"] = np.log1p(rfm["monetary_avg"].clip(lower=0).astype(float))
    out["log_revenue_12m"] = np.log1p(value["revenue_12m"].clip(lower=0))
    out["purchases_12m"] = (
        inv.assign(day=pd.to_datetime(inv["invoice_date"]).dt.normalize())
        .groupby("customer_id")["day"]
        .nunique()
        .reindex(out.index)
        .fillna(0)
        .astype(float)
    )
    out["contacts_12m"] = recent.groupby("customer_id").size().reindex(out.index).fillna(0).astype(float)
    out["log_contact_cost_12m"] = np.log1p(value["contact_cost_12m"].clip(lower=0))
    return out[FEATURES]


def churn_labels(customer_ids: pd.Index, invoices: pd.DataFrame, cutoff: date, as_of: date) -> pd.Series:
    """1 when the customer bought nothing in (cutoff, as_of], else 0."""
    after = rfm_summary(
        customer_ids, invoices[pd.to_datetime(invoices["invoice_date"]).gt(pd.Timestamp(cutoff))], as_of
    )
    return after["T_days"].isna().astype(int)


def _model(n_train: int, min_class: int) -> object:
    base = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, C=1.0))
    folds = min(5, min_class)
    if folds >= 2:
        return CalibratedClassifierCV(base, method="sigmoid", cv=folds)
    return base


def predict_churn(
    customer_ids: pd.Index,
    invoices: pd.DataFrame,
    contacts: pd.DataFrame,
    as_of: date,
    p_alive: pd.Series,
    min_examples: int = 50,
    min_class_examples: int = 10,
    seed: int = 0,
) -> ChurnResult:
    """churn_risk per customer (NaN for those who never bought and have no p_alive)."""
    cutoff = window_start(as_of).date()
    train_x = churn_features(customer_ids, invoices, contacts, cutoff)
    train_y = churn_labels(train_x.index, invoices, cutoff, as_of)
    n_pos, n_neg = int(train_y.sum()), int((1 - train_y).sum())
    metrics: dict[str, object] = {
        "train_customers": len(train_x),
        "churned": n_pos,
        "retained": n_neg,
        "cutoff": cutoff.isoformat(),
    }
    fallback = (1.0 - p_alive).reindex(customer_ids)
    if len(train_x) < min_examples or min(n_pos, n_neg) < min_class_examples:
        metrics["method"] = (
            f"fallback 1 - p_alive: {len(train_x)} training customers, {n_pos} churned, "
            f"{n_neg} retained (need {min_examples} and {min_class_examples} per class)"
        )
        return ChurnResult(fallback, metrics)

    x_tr, x_te, y_tr, y_te = train_test_split(train_x, train_y, test_size=0.3, stratify=train_y, random_state=seed)
    holdout = _model(len(x_tr), int(min(y_tr.sum(), (1 - y_tr).sum()))).fit(x_tr, y_tr)
    proba = holdout.predict_proba(x_te)[:, 1]
    metrics["auc"] = float(roc_auc_score(y_te, proba)) if y_te.nunique() == 2 else float("nan")
    metrics["brier"] = float(brier_score_loss(y_te, proba))
    metrics["base_rate"] = float(train_y.mean())
    metrics["method"] = "logistic regression, sigmoid-calibrated, time split"

    final = _model(len(train_x), min(n_pos, n_neg)).fit(train_x, train_y)
    now_x = churn_features(customer_ids, invoices, contacts, as_of)
    risk = pd.Series(final.predict_proba(now_x)[:, 1], index=now_x.index).reindex(customer_ids)
    metrics["scored_customers"] = len(now_x)
    return ChurnResult(risk, metrics)
