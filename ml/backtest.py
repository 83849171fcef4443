"""Out-of-time backtest of customer value models: fit as of T-12 months, score the next 12, compare.

Candidates: BG/NBD + Gamma-Gamma (`bgnbd_gg`), a gradient-boosted regressor on customer features plus the
BG/NBD outputs (`gbm`), their average (`blend`) and the naive baseline "next year's margin = last year's"
(`naive_last_12m`). Each is judged on the customers who had bought by the cutoff by Spearman rank
correlation with the actual future margin, the share of future margin captured by its top 20%, and the
ratio of predicted to actual total margin. The model with the best Spearman + capture is chosen; the
run stores every figure beside the naive baseline so a reader can see what the choice was worth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from ml.clv import fit_clv, score_clv
from ml.rfm import purchase_days, rfm_summary
from ml.value import window_start

MODELS = ("bgnbd_gg", "gbm", "blend", "naive_last_12m")
FEATURES = [
    "frequency",
    "recency_days",
    "T_days",
    "days_since_last",
    "monetary_avg",
    "revenue_12m",
    "margin_12m",
    "margin_prev_12m",
    "purchases_12m",
    "margin_total",
    "is_organisation",
    "p_alive",
    "predicted_purchases_12m",
    "expected_margin_per_purchase",
    "clv_bgnbd",
]


def margin_between(customer_ids: pd.Index, invoices: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Billable margin (revenue - cost) per customer in (start, end]."""
    days = purchase_days(invoices, end.date())
    days = days[days["day"].gt(start) & days["day"].le(end)]
    return days.groupby("customer_id")["margin"].sum().reindex(customer_ids).fillna(0.0)


def value_features(
    customers: pd.DataFrame, invoices: pd.DataFrame, as_of: date, min_repeat_buyers: int = 20
) -> pd.DataFrame:
    """Feature rows (as of a date, nothing later used) for the customers who had bought by then.

    Column names follow the feature table (frequency, recency_days, T_days, monetary_avg, revenue_12m,
    margin_12m, ...); the BG/NBD + Gamma-Gamma outputs fitted as of the same date are features too.
    """
    as_of_ts = pd.Timestamp(as_of)
    known = invoices[pd.to_datetime(invoices["invoice_date"]).le(as_of_ts)]
    ids = pd.Index(customers["customer_id"], name="customer_id")
    rfm = rfm_summary(ids, known, as_of)
    if "customer_type" in customers:
        rfm["spend_group"] = customers.set_index("customer_id")["customer_type"].reindex(rfm.index).fillna("unknown")
    rfm = rfm[rfm["T_days"].notna()]
    fit = fit_clv(rfm, min_repeat_buyers)
    clv = score_clv(rfm, fit, 12, 0.0)
    start, prev = window_start(as_of), window_start(as_of, 24)
    days = purchase_days(known, as_of)
    recent = days[days["day"].gt(start)]
    out = pd.DataFrame(index=rfm.index)
    for col in ("frequency", "recency_days", "T_days", "days_since_last", "monetary_avg", "margin_total"):
        out[col] = rfm[col].astype(float)
    out["revenue_12m"] = recent.groupby("customer_id")["revenue"].sum().reindex(out.index).fillna(0.0)
    out["margin_12m"] = recent.groupby("customer_id")["margin"].sum().reindex(out.index).fillna(0.0)
    out["margin_prev_12m"] = margin_between(out.index, known, prev, start)
    out["purchases_12m"] = recent.groupby("customer_id").size().reindex(out.index).fillna(0).astype(float)
    group = rfm["spend_group"] if "spend_group" in rfm else pd.Series("", index=rfm.index)
    out["is_organisation"] = group.astype(str).eq("organisation").astype(float)
    out["p_alive"] = clv["p_alive"]
    out["predicted_purchases_12m"] = clv["predicted_purchases_12m"]
    out["expected_margin_per_purchase"] = clv["expected_margin_per_purchase"]
    out["clv_bgnbd"] = clv["clv_12m"]
    out.attrs["bgnbd_status"] = fit.bgnbd_status
    return out


def fit_gbm(features: pd.DataFrame, target: pd.Series, seed: int = 0) -> HistGradientBoostingRegressor:
    """Poisson-loss boosting: future margin is non-negative and heavy-tailed, and Poisson loss keeps the
    totals right where squared error chases the largest accounts."""
    model = HistGradientBoostingRegressor(
        loss="poisson", max_iter=300, learning_rate=0.05, min_samples_leaf=20, l2_regularization=1.0, random_state=seed
    )
    with threadpool_limits(1):  # OpenMP threads spin on a shared 2-core machine: 77 s instead of 2 s
        return model.fit(features[FEATURES].fillna(0.0), target.clip(lower=0.0))


def predictions(train: pd.DataFrame, train_target: pd.Series, score: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Every candidate's predicted next-12-month margin for the rows of `score`."""
    out = pd.DataFrame(index=score.index)
    out["bgnbd_gg"] = score["clv_bgnbd"].fillna(0.0)
    out["naive_last_12m"] = score["margin_12m"]
    if len(train) >= 50 and train_target.gt(0).sum() >= 10:
        model = fit_gbm(train, train_target, seed)
        with threadpool_limits(1):
            out["gbm"] = model.predict(score[FEATURES].fillna(0.0))
        out["blend"] = 0.5 * out["gbm"] + 0.5 * out["bgnbd_gg"]
    return out


def capture(predicted: pd.Series, actual: pd.Series, top: float = 0.2) -> float:
    """Share of the actual total margin earned by the `top` share of customers ranked by the prediction."""
    n = max(1, int(round(top * len(predicted))))
    order = np.argsort(-predicted.to_numpy(dtype=float), kind="stable")[:n]
    total = actual.clip(lower=0).sum()
    return float(actual.clip(lower=0).to_numpy()[order].sum() / total) if total > 0 else float("nan")


def score_predictions(pred: pd.DataFrame, actual: pd.Series) -> dict[str, dict[str, float]]:
    actual = actual.reindex(pred.index).fillna(0.0)
    out = {}
    for name in pred.columns:
        p = pred[name].fillna(0.0)
        out[name] = {
            "spearman": float(spearmanr(p, actual).statistic) if p.nunique() > 1 else float("nan"),
            "top20_capture": capture(p, actual),
            "total_ratio": float(p.sum() / actual.sum()) if actual.sum() != 0 else float("nan"),
        }
    out["ideal"] = {"spearman": 1.0, "top20_capture": capture(actual, actual), "total_ratio": 1.0}
    return out


@dataclass
class Backtest:
    cutoff: date
    customers: int
    metrics: dict[str, dict[str, float]]
    chosen: str
    notes: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "cutoff": self.cutoff.isoformat(),
            "customers": self.customers,
            "chosen": self.chosen,
            "metrics": {k: {m: round(v, 4) for m, v in d.items()} for k, d in self.metrics.items()},
            **self.notes,
        }


def choose(metrics: dict[str, dict[str, float]]) -> str:
    """Best Spearman + top-20% capture among the models; the naive baseline only if nothing beats it."""
    candidates = {k: v for k, v in metrics.items() if k in MODELS and np.isfinite(v["spearman"])}
    if not candidates:
        return "bgnbd_gg"
    return max(candidates, key=lambda k: candidates[k]["spearman"] + candidates[k]["top20_capture"])


def backtest(
    customers: pd.DataFrame, invoices: pd.DataFrame, as_of: date, min_repeat_buyers: int = 20, seed: int = 0
) -> Backtest:
    """Fit as of as_of - 12 months (the GBM learns from the year before that), score the 12 months up to
    as_of, and measure every candidate against what those customers actually earned."""
    cutoff = window_start(as_of).date()
    earlier = window_start(cutoff).date()
    train = value_features(customers, invoices, earlier, min_repeat_buyers)
    train_target = margin_between(train.index, invoices, pd.Timestamp(earlier), pd.Timestamp(cutoff))
    test = value_features(customers, invoices, cutoff, min_repeat_buyers)
    actual = margin_between(test.index, invoices, pd.Timestamp(cutoff), pd.Timestamp(as_of))
    pred = predictions(train, train_target, test, seed)
    metrics = score_predictions(pred, actual)
    notes = {"bgnbd_status_at_cutoff": test.attrs.get("bgnbd_status"), "train_customers": len(train)}
    return Backtest(cutoff, len(test), metrics, choose(metrics), notes)


def predict_value(
    customers: pd.DataFrame, invoices: pd.DataFrame, as_of: date, model: str, min_repeat_buyers: int = 20, seed: int = 0
) -> pd.Series:
    """The chosen model's next-12-month margin as of as_of (GBM trained on the year up to as_of)."""
    cutoff = window_start(as_of).date()
    now = value_features(customers, invoices, as_of, min_repeat_buyers)
    train = value_features(customers, invoices, cutoff, min_repeat_buyers) if model in ("gbm", "blend") else now
    target = margin_between(train.index, invoices, pd.Timestamp(cutoff), pd.Timestamp(as_of))
    pred = predictions(train, target, now, seed)
    return pred[model if model in pred else "bgnbd_gg"]


def chosen_value(
    customers: pd.DataFrame,
    invoices: pd.DataFrame,
    as_of: date,
    discount_rate_yearly: float = 0.10,
    min_repeat_buyers: int = 20,
    seed: int = 0,
) -> tuple[pd.Series | None, dict[str, object]]:
    """Backtest, then the chosen model's discounted next-12-month margin per customer (None when the
    backtest chose BG/NBD + Gamma-Gamma, whose clv_12m the caller already has) and the backtest record."""
    try:
        result = backtest(customers, invoices, as_of, min_repeat_buyers, seed)
    except (ValueError, ArithmeticError) as exc:  # too little history for a year-on-year test
        return None, {"chosen": "bgnbd_gg", "reason": f"no backtest: {exc}"}
    record = result.as_dict()
    if result.chosen == "bgnbd_gg":
        return None, record
    months = np.arange(1, 13)
    discount = float(np.mean((1 + discount_rate_yearly) ** (-months / 12.0)))
    value = predict_value(customers, invoices, as_of, result.chosen, min_repeat_buyers, seed) * discount
    return value.clip(lower=0.0), record
