"""Customer value model run: facts in intermediate -> ml.customer_scores, ml.segment_history, ml.model_runs.

`score_customers()` is the pure core over DataFrames; `run_models()` adds the warehouse reads and writes.
Re-running a model_run_id replaces that run's rows, so a retried Airflow task leaves one clean run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

import pandas as pd

from ml import io
from ml.backtest import chosen_value
from ml.churn import predict_churn
from ml.clusters import cluster_customers
from ml.clv import ClvFit, fit_clv, score_clv
from ml.config import ModelSettings, load_settings
from ml.potential import potential_classes_within, potential_scores
from ml.rfm import rfm_summary
from ml.segments import assign_segments, value_classes
from ml.value import current_value, window_start

log = logging.getLogger("ml.models")


@dataclass
class ModelRunSummary:
    model_run_id: str
    as_of: date
    customers: int = 0
    buyers: int = 0
    repeat_buyers: int = 0
    bgnbd_status: str = ""
    gamma_gamma_status: str = ""
    churn_method: str = ""
    segment_counts: dict[str, int] = field(default_factory=dict)
    history_rows: int = 0
    elapsed: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        return out


@dataclass
class ModelResult:
    scores: pd.DataFrame  # ml.customer_scores columns (without model_run_id/as_of_date)
    history: pd.DataFrame  # ml.segment_history columns (without model_run_id)
    params: dict[str, object]
    metrics: dict[str, object]
    summary: ModelRunSummary


class _Timer:
    def __init__(self, summary: ModelRunSummary) -> None:
        self.summary = summary
        self.t = time.perf_counter()

    def step(self, name: str, message: str, *args: object) -> None:
        now = time.perf_counter()
        self.summary.elapsed[name] = round(now - self.t, 3)
        log.info("%-16s " + message + " (%.2fs)", name, *args, now - self.t)
        self.t = now


def tenure_days(customers: pd.DataFrame, first_purchase: pd.Series, as_of: date) -> pd.Series:
    """Days the customer has been known on as_of: since first_seen_at or the first purchase, if earlier."""
    seen = pd.to_datetime(customers["first_seen_at"], utc=True, errors="coerce").dt.tz_convert(None).dt.normalize()
    seen = pd.Series(seen.to_numpy(), index=customers["customer_id"])
    start = pd.concat([seen, first_purchase.reindex(seen.index)], axis=1).min(axis=1)
    return (pd.Timestamp(as_of) - start).dt.days


def _classify(frame: pd.DataFrame, settings: ModelSettings) -> tuple[pd.Series, pd.Series, pd.Series]:
    value_class = value_classes(frame["revenue_12m"], frame["current_value_12m"], settings.value_high_quantile)
    tiebreak = frame["clv_12m"].fillna(0) * (1 - frame.get("churn_risk", pd.Series(0.5, index=frame.index)).fillna(0.5))
    potential_class = potential_classes_within(
        frame["potential_score"], value_class, tiebreak, settings.potential_high_quantile
    )
    segment = assign_segments(
        value_class,
        potential_class,
        frame["tenure_days"],
        settings.segment_matrix,
        settings.new_customer_days,
    )
    return value_class, potential_class, segment


def _snapshot(
    customers: pd.DataFrame,
    invoices: pd.DataFrame,
    contacts: pd.DataFrame,
    as_of: date,
    fit: ClvFit,
    settings: ModelSettings,
) -> pd.DataFrame:
    """Value, RFM, CLV and tenure of every customer as of a date, with the given fitted models."""
    ids = pd.Index(customers["customer_id"], name="customer_id")
    value = current_value(ids, invoices, contacts, as_of)
    rfm = with_spend_group(rfm_summary(ids, invoices, as_of), customers)
    clv = score_clv(rfm, fit, settings.clv_horizon_months, settings.discount_rate_yearly)
    frame = pd.concat([value, rfm, clv], axis=1)
    frame["tenure_days"] = tenure_days(customers, rfm["first_purchase"], as_of).reindex(ids)
    frame["value_prev_12m"] = current_value(ids, invoices, contacts, window_start(as_of).date())["current_value_12m"]
    frame["potential_score"] = _potential(frame)
    return frame


def _potential(frame: pd.DataFrame) -> pd.Series:
    """Headroom against similar customers, churn-adjusted, plus growth (ml.potential)."""
    inputs = frame.assign(margin_12m=frame["current_value_12m"], margin_prev_12m=frame["value_prev_12m"])
    return potential_scores(inputs)["potential_score"].round(2)


def with_spend_group(rfm: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Gamma-Gamma is fitted per customer_type: organisations and persons spend on different scales."""
    if "customer_type" not in customers:
        return rfm
    group = customers.set_index("customer_id")["customer_type"].reindex(rfm.index).fillna("unknown")
    return rfm.assign(spend_group=group)


def month_points(as_of: date, months: int = 12) -> list[tuple[date, date]]:
    """(month start, evaluation date) for the `months` months ending with the as-of month: earlier months
    are evaluated at their last day, the as-of month at as_of."""
    as_of_month = pd.Timestamp(as_of).to_period("M")
    out = []
    for k in range(months - 1, -1, -1):
        period = as_of_month - k
        end = as_of if k == 0 else period.end_time.date()
        out.append((period.start_time.date(), end))
    return out


def score_customers(
    customers: pd.DataFrame,
    invoices: pd.DataFrame,
    contacts: pd.DataFrame,
    as_of: date,
    settings: ModelSettings | None = None,
    model_run_id: str = "adhoc",
) -> ModelResult:
    """All model outputs for one as-of date. Inputs have the int_customers / int_invoices /
    int_contact_moments columns; anything dated after as_of is ignored."""
    settings = settings or load_settings()
    summary = ModelRunSummary(model_run_id=model_run_id, as_of=as_of)
    timer = _Timer(summary)
    as_of_ts = pd.Timestamp(as_of)
    invoices = invoices[pd.to_datetime(invoices["invoice_date"]).le(as_of_ts)]
    contacts = contacts[pd.to_datetime(contacts["occurred_on"]).le(as_of_ts)]
    ids = pd.Index(customers["customer_id"], name="customer_id")
    summary.customers = len(ids)

    rfm = with_spend_group(rfm_summary(ids, invoices, as_of), customers)
    fit = fit_clv(rfm, settings.min_repeat_buyers)
    summary.buyers, summary.repeat_buyers = fit.buyers, fit.repeat_buyers
    summary.bgnbd_status, summary.gamma_gamma_status = fit.bgnbd_status, fit.gamma_gamma_status
    timer.step(
        "fit_clv",
        "%d buyers, %d repeat buyers; BG/NBD %s; Gamma-Gamma %s",
        fit.buyers,
        fit.repeat_buyers,
        fit.bgnbd_status,
        fit.gamma_gamma_status,
    )

    frame = _snapshot(customers, invoices, contacts, as_of, fit, settings)
    chosen, backtest_record = chosen_value(
        customers, invoices, as_of, settings.discount_rate_yearly, settings.min_repeat_buyers
    )
    if chosen is not None:  # the out-of-time backtest preferred another model to BG/NBD + Gamma-Gamma
        frame["clv_12m"] = chosen.reindex(frame.index).fillna(0.0).where(frame["clv_12m"].notna())
    timer.step("backtest", "chosen %s", backtest_record.get("chosen"))
    timer.step(
        "value_clv",
        "%d customers, revenue_12m %.2f, clv_12m %.2f",
        len(frame),
        frame["revenue_12m"].sum(),
        frame["clv_12m"].sum(),
    )

    churn = predict_churn(
        ids,
        invoices,
        contacts,
        as_of,
        frame["p_no_purchase_12m"],
        settings.min_churn_examples,
        settings.min_churn_class_examples,
        settings.min_repeat_buyers,
    )
    frame["churn_risk"] = churn.churn_risk.reindex(ids)
    frame["potential_score"] = _potential(frame)  # now with churn risk
    summary.churn_method = str(churn.metrics.get("method", ""))
    timer.step("churn", "%s; auc %s", summary.churn_method, churn.metrics.get("auc"))

    frame["value_class"], frame["potential_class"], frame["segment"] = _classify(frame, settings)
    clustering = cluster_customers(frame, 2, settings.n_clusters)  # k by silhouette up to n_clusters
    frame["cluster"] = clustering.labels.reindex(frame.index)  # null for customers who never bought
    summary.segment_counts = {k: int(v) for k, v in frame["segment"].value_counts().sort_index().items()}
    timer.step("segments", "%s; %d clusters", summary.segment_counts, frame["cluster"].nunique())

    def _fit_at(point: date) -> ClvFit:
        return fit_clv(with_spend_group(rfm_summary(ids, invoices, point), customers), settings.min_repeat_buyers)

    history_parts = []
    for month, point in month_points(as_of):
        # each month-end scored with a fit on what was known then (no look-ahead)
        snap = frame if point == as_of else _snapshot(customers, invoices, contacts, point, _fit_at(point), settings)
        snap = snap[snap["tenure_days"].isna() | snap["tenure_days"].ge(0)].copy()
        if point != as_of:
            snap["value_class"], snap["potential_class"], snap["segment"] = _classify(snap, settings)
        history_parts.append(
            snap[["value_class", "potential_class", "segment", "revenue_12m", "current_value_12m"]]
            .assign(month=month)
            .reset_index(names="customer_id")
        )
    history = pd.concat(history_parts, ignore_index=True)
    summary.history_rows = len(history)
    timer.step("history", "%d segment_history rows over %d months", len(history), len(history_parts))

    scores = frame.reset_index(names="customer_id")
    # BI reads recency the RFM way: days since the last purchase (null for a customer who never bought);
    # the BG/NBD recency (first to last purchase) stays inside the CLV fit.
    scores["recency_days"] = scores["days_since_last"]
    scores["tenure_days"] = scores["tenure_days"].clip(lower=0)  # first seen after as_of: brand new
    for col in ("recency_days", "tenure_days", "cluster"):
        scores[col] = scores[col].astype("Int64")
    scores["clv_12m"] = scores["clv_12m"].round(2)
    scores["monetary_avg"] = scores["monetary_avg"].round(2)

    positive = frame["current_value_12m"].clip(lower=0)
    metrics = {
        "models": {
            "customers": len(frame),
            "buyers_12m": int(frame["revenue_12m"].gt(0).sum()),
            "revenue_12m": round(float(frame["revenue_12m"].sum()), 2),
            "current_value_12m": round(float(frame["current_value_12m"].sum()), 2),
            "clv_12m": round(float(frame["clv_12m"].sum()), 2),
            "high_value_share_of_positive_value": (
                round(float(positive[frame["value_class"].eq("high")].sum() / positive.sum()), 4)
                if positive.sum() > 0
                else None
            ),
            "bgnbd_log_likelihood": fit.bgnbd.log_likelihood if fit.bgnbd else None,
            "gamma_gamma_log_likelihood": fit.gamma_gamma.log_likelihood if fit.gamma_gamma else None,
            "churn": churn.metrics,
            "backtest": backtest_record,
            "churn_at_risk": int(frame["churn_risk"].ge(settings.churn_threshold).sum()),
            "segment_counts": summary.segment_counts,
            "value_class_counts": {k: int(v) for k, v in frame["value_class"].value_counts().items()},
            "cluster_counts": {str(k): int(v) for k, v in frame["cluster"].value_counts().sort_index().items()},
            "clusters": {
                "k": clustering.k,
                "silhouettes": {str(k): round(v, 4) for k, v in clustering.silhouettes.items()},
                "profiles": clustering.profiles.round(4).to_dict(orient="records"),
            },
        }
    }
    params = {"models": {"settings": settings.as_params(), **fit.params()}}
    return ModelResult(scores=scores, history=history, params=params, metrics=metrics, summary=summary)


def run_models(url: str, as_of: date, model_run_id: str, settings: ModelSettings | None = None) -> ModelRunSummary:
    """Read the facts, score every customer, replace this run's rows in the ml tables."""
    from cvm.warehouse import connect

    started = datetime.now(UTC)
    t0 = time.perf_counter()
    with connect(url) as conn:
        io.ensure_ml_tables(conn)
        customers = io.read_table(conn, "intermediate.int_customers", ["customer_id", "customer_type", "first_seen_at"])
        io.require_tables(conn, "intermediate.int_invoices", "intermediate.int_contact_moments")
        invoices = io.read_frame(
            conn,
            """select invoice_id, customer_id, invoice_date, amount_excl_vat, cost_amount, status, is_credited
               from intermediate.int_invoices where invoice_date <= %s""",
            (as_of,),
        )
        contacts = io.read_frame(
            conn,
            """select contact_moment_id, customer_id, occurred_on, channel, direction, contact_cost
               from intermediate.int_contact_moments where occurred_on <= %s""",
            (as_of,),
        )
        log.info(
            "%-16s %d customers, %d invoices, %d contact moments (%.2fs)",
            "read",
            len(customers),
            len(invoices),
            len(contacts),
            time.perf_counter() - t0,
        )
        result = score_customers(customers, invoices, contacts, as_of, settings, model_run_id)
        summary = result.summary
        t = time.perf_counter()
        io.delete_run(conn, "ml.customer_scores", model_run_id)
        io.delete_run(conn, "ml.segment_history", model_run_id)
        io.copy_frame(
            conn,
            "ml.customer_scores",
            result.scores.assign(model_run_id=model_run_id, as_of_date=as_of),
            io.CUSTOMER_SCORE_COLUMNS,
        )
        io.copy_frame(
            conn,
            "ml.segment_history",
            result.history.assign(model_run_id=model_run_id),
            io.SEGMENT_HISTORY_COLUMNS,
        )
        summary.elapsed["write"] = round(time.perf_counter() - t, 3)
        summary.elapsed["total"] = round(time.perf_counter() - t0, 3)
        io.upsert_model_run(
            conn,
            model_run_id,
            as_of_date=as_of,
            started_at=started,
            finished_at=datetime.now(UTC),
            params=result.params,
            metrics={**result.metrics, "models_elapsed": summary.elapsed},
            status="succeeded",
        )
        log.info(
            "%-16s %d customer scores, %d history rows (%.2fs)",
            "write",
            len(result.scores),
            len(result.history),
            summary.elapsed["write"],
        )
    return summary


__all__ = ["ModelResult", "ModelRunSummary", "run_models", "score_customers"]
