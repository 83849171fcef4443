"""Out-of-time backtest of customer value models: fit as of T-12 months, score the next 12, compare.

Inputs are int_customer_features rows indexed by customer_id: the churn_cut_off rows (T-12) are scored and
measured against the as-of rows' margin_12m (what they earned since); the GBM learns on the
training_cut_off rows (T-24) with the churn_cut_off rows' margin_12m as target. No date or window is
computed here.

Candidates: BG/NBD + Gamma-Gamma (`bgnbd_gg`), a gradient-boosted regressor on customer features plus the
BG/NBD outputs (`gbm`), a ridge regression of log future margin on log features (`ridge`), the geometric
mean of the three (`blend`) and the naive baseline "next year's margin = last year's" (`naive_last_12m`).
The ridge ranks well (half the customers earn nothing next year, and a log target orders that mass) but
under-weights the largest accounts; BG/NBD and the GBM do the opposite, so their geometric mean keeps
most of both (bench/RESULTS.md, models section).

Each is judged on the customers who had bought by the cutoff by Spearman rank
correlation with the actual future margin, the share of future margin captured by its top 20%, and the
ratio of predicted to actual total margin. The model with the best Spearman + capture is chosen; the
run stores every figure beside the naive baseline so a reader can see what the choice was worth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import RidgeCV
from threadpoolctl import threadpool_limits

from ml.clv import fit_clv, score_clv

MODELS = ("bgnbd_gg", "gbm", "ridge", "blend", "naive_last_12m")
FEATURES = [
    "frequency",
    "recency_days",
    "T_days",
    "days_since_last",
    "monetary_avg",
    "revenue_12m",
    "margin_12m",
    "margin_previous_12m",
    "purchases_12m",
    "margin_total",
    "is_organisation",
    "p_alive",
    "predicted_purchases_12m",
    "expected_margin_per_purchase",
    "clv_bgnbd",
]
# Ridge inputs, log1p'd: euro and count features are heavy-tailed, so their logs are closer to linear.
RIDGE_LOG_FEATURES = [
    "clv_bgnbd",
    "margin_12m",
    "margin_previous_12m",
    "predicted_purchases_12m",
    "expected_margin_per_purchase",
    "margin_total",
    "purchases_12m",
]
RIDGE_FEATURES = ["p_alive", "is_organisation"]


def value_features(rows: pd.DataFrame, min_repeat_buyers: int = 20) -> pd.DataFrame:
    """Model inputs for the buyers among one cut-off's feature rows: the feature table's columns plus the
    BG/NBD + Gamma-Gamma outputs fitted on the same rows (nothing later is used)."""
    rows = rows[rows["T_days"].notna()]
    fit = fit_clv(rows, min_repeat_buyers)
    clv = score_clv(rows, fit, 12, 0.0)
    out = pd.DataFrame(index=rows.index)
    for col in (
        "frequency",
        "recency_days",
        "T_days",
        "days_since_last",
        "monetary_avg",
        "margin_total",
        "revenue_12m",
        "margin_12m",
        "margin_previous_12m",
    ):
        out[col] = rows[col].astype(float)
    out["purchases_12m"] = rows["purchase_days_12m"].astype(float)
    out["is_organisation"] = rows["customer_type"].astype(str).eq("organisation").astype(float)
    out["p_alive"] = clv["p_alive"]
    out["predicted_purchases_12m"] = clv["predicted_purchases_12m"]
    out["expected_margin_per_purchase"] = clv["expected_margin_per_purchase"]
    out["clv_bgnbd"] = clv["clv_12m"]
    out.attrs["bgnbd_status"] = fit.bgnbd_status
    return out


def margin_after(customer_ids: pd.Index, later: pd.DataFrame) -> pd.Series:
    """What each customer earned in the 12 months after a cut-off: margin_12m of the row one year later."""
    return later["margin_12m"].astype(float).reindex(customer_ids).fillna(0.0)


def fit_gbm(features: pd.DataFrame, target: pd.Series, seed: int = 0) -> HistGradientBoostingRegressor:
    """Poisson-loss boosting: future margin is non-negative and heavy-tailed, and Poisson loss keeps the
    totals right where squared error chases the largest accounts."""
    model = HistGradientBoostingRegressor(
        loss="poisson", max_iter=300, learning_rate=0.05, min_samples_leaf=20, l2_regularization=1.0, random_state=seed
    )
    with threadpool_limits(1):  # OpenMP threads spin on a shared 2-core machine: 77 s instead of 2 s
        return model.fit(features[FEATURES].fillna(0.0), target.clip(lower=0.0))


def _ridge_design(features: pd.DataFrame) -> np.ndarray:
    logs = np.log1p(features[RIDGE_LOG_FEATURES].fillna(0.0).clip(lower=0.0).to_numpy(dtype=float))
    return np.column_stack([logs, features[RIDGE_FEATURES].fillna(1.0).to_numpy(dtype=float)])


def fit_ridge(features: pd.DataFrame, target: pd.Series) -> RidgeCV:
    """Ridge on log1p(future margin), the penalty chosen by leave-one-out CV."""
    with threadpool_limits(1):
        return RidgeCV(alphas=np.logspace(-2, 3, 12)).fit(
            _ridge_design(features), np.log1p(target.clip(lower=0.0).to_numpy())
        )


def scaled_to(score: pd.Series, total: float) -> pd.Series:
    """`score` multiplied to sum to `total`: the ranking kept, the level taken from a model of the mean."""
    s = float(score.sum())
    return score * (total / s) if s > 0 else score


def geometric_blend(parts: pd.DataFrame) -> pd.Series:
    """exp(mean log(1 + part)) - 1: the ranking of an average of log predictions, in euros."""
    return np.expm1(np.log1p(parts.clip(lower=0.0)).mean(axis=1))


def predictions(train: pd.DataFrame, train_target: pd.Series, score: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Every candidate's predicted next-12-month margin for the rows of `score` (the learned ones only when
    the training year has enough buyers to learn from)."""
    out = pd.DataFrame(index=score.index)
    out["bgnbd_gg"] = score["clv_bgnbd"].fillna(0.0)
    out["naive_last_12m"] = score["margin_12m"]
    if len(train) >= 50 and train_target.gt(0).sum() >= 10:
        model = fit_gbm(train, train_target, seed)
        with threadpool_limits(1):
            out["gbm"] = model.predict(score[FEATURES].fillna(0.0))
            ridge = np.expm1(fit_ridge(train, train_target).predict(_ridge_design(score))).clip(min=0.0)
        # a log model predicts a typical value, not the mean: its level (and the blend's) is the mean of
        # the two mean models' totals, BG/NBD + Gamma-Gamma and the Poisson GBM
        total = float(out[["bgnbd_gg", "gbm"]].sum().mean())
        out["ridge"] = scaled_to(pd.Series(ridge, index=score.index), total)
        out["blend"] = scaled_to(geometric_blend(out[["bgnbd_gg", "gbm", "ridge"]]), total)
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
    cutoff: object  # the churn_cut_off feature_date
    customers: int
    metrics: dict[str, dict[str, float]]
    chosen: str
    notes: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "cutoff": str(self.cutoff),
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
    training: pd.DataFrame, cut_off: pd.DataFrame, current: pd.DataFrame, min_repeat_buyers: int = 20, seed: int = 0
) -> Backtest:
    """Fit on the churn_cut_off rows (the GBM learns from the training_cut_off rows before them), score
    the 12 months up to as_of, and measure every candidate against what those customers actually earned."""
    train = value_features(training, min_repeat_buyers) if len(training) else pd.DataFrame()
    train_target = margin_after(train.index, cut_off)
    test = value_features(cut_off, min_repeat_buyers)
    if test.empty:
        raise ValueError("no customer had bought by the cut-off a year before as_of")
    actual = margin_after(test.index, current)
    pred = predictions(train, train_target, test, seed)
    metrics = score_predictions(pred, actual)
    notes = {"bgnbd_status_at_cutoff": test.attrs.get("bgnbd_status"), "train_customers": len(train)}
    return Backtest(_date(cut_off), len(test), metrics, choose(metrics), notes)


def _date(rows: pd.DataFrame) -> object:
    return rows["feature_date"].iloc[0] if "feature_date" in rows and len(rows) else None


def predict_value(
    cut_off: pd.DataFrame, current: pd.DataFrame, model: str, min_repeat_buyers: int = 20, seed: int = 0
) -> pd.Series:
    """The chosen model's next-12-month margin for the as-of rows (GBM trained on the churn_cut_off rows
    with their following year's margin as target)."""
    now = value_features(current, min_repeat_buyers)
    train = value_features(cut_off, min_repeat_buyers) if model in ("gbm", "ridge", "blend") else now
    pred = predictions(train, margin_after(train.index, current), now, seed)
    return pred[model if model in pred else "bgnbd_gg"]


def chosen_value(
    training: pd.DataFrame,
    cut_off: pd.DataFrame,
    current: pd.DataFrame,
    discount_rate_yearly: float = 0.10,
    min_repeat_buyers: int = 20,
    seed: int = 0,
) -> tuple[pd.Series | None, dict[str, object]]:
    """Backtest, then the chosen model's discounted next-12-month margin per customer (None when the
    backtest chose BG/NBD + Gamma-Gamma, whose clv_12m the caller already has) and the backtest record."""
    try:
        result = backtest(training, cut_off, current, min_repeat_buyers, seed)
    except (ValueError, ArithmeticError) as exc:  # too little history for a year-on-year test
        return None, {"chosen": "bgnbd_gg", "reason": f"no backtest: {exc}"}
    record = result.as_dict()
    if result.chosen == "bgnbd_gg":
        return None, record
    months = np.arange(1, 13)
    discount = float(np.mean((1 + discount_rate_yearly) ** (-months / 12.0)))
    value = predict_value(cut_off, current, result.chosen, min_repeat_buyers, seed) * discount
    return value.clip(lower=0.0), record
