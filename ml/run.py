"""Customer value model run: intermediate.int_customer_features -> ml.customer_scores, ml.segment_history,
ml.model_runs.

dbt owns every figure (revenue, windows, the purchase-day summary, tenure, as of each cut-off); this module
writes only what is modelled: p_alive, predicted purchases, CLV, churn risk, potential, segment, cluster.
`score_customers()` is the pure core over the feature rows; `run_models()` adds the warehouse reads and
writes. Re-running a model_run_id replaces that run's rows, so a retried Airflow task leaves one clean run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

import pandas as pd

from ml import io
from ml.churn import predict_churn
from ml.clv import ClvFit, fit_clv, score_clv
from ml.config import ModelSettings, load_settings
from ml.segments import assign_segments, kmeans_clusters, potential_classes, value_classes

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


def _classify(frame: pd.DataFrame, settings: ModelSettings) -> tuple[pd.Series, pd.Series, pd.Series]:
    value_class = value_classes(frame["revenue_12m"], frame["current_value_12m"], settings.value_high_quantile)
    potential_class = potential_classes(frame["potential_score"], settings.potential_high_quantile)
    segment = assign_segments(
        value_class,
        potential_class,
        frame["tenure_days"],
        settings.segment_matrix,
        settings.new_customer_days,
    )
    return value_class, potential_class, segment


def model_inputs(features: pd.DataFrame) -> pd.DataFrame:
    """Feature rows as the CLV code reads them: indexed by customer_id, Gamma-Gamma fitted per
    customer_type (organisations and persons spend on different scales)."""
    return features.set_index("customer_id").assign(spend_group=lambda f: f["customer_type"].fillna("unknown"))


def _value_and_clv(rows: pd.DataFrame, fit: ClvFit, settings: ModelSettings) -> pd.DataFrame:
    clv = score_clv(rows, fit, settings.clv_horizon_months, settings.discount_rate_yearly)
    frame = pd.concat([rows, clv], axis=1)
    frame["potential_score"] = frame["clv_12m"].clip(lower=0).round(2)
    return frame


def segment_history(
    frame: pd.DataFrame, month_ends: pd.DataFrame, fit: ClvFit, settings: ModelSettings
) -> pd.DataFrame:
    """Segment per customer per month: the as-of month from `frame`, each earlier month from the
    features of its month-end (what was known then), scored with the given fit and classified among
    the customers of that month."""
    parts = [frame.assign(month=frame["feature_month"]).reset_index(names="customer_id")]
    if len(month_ends):
        rows = month_ends.reset_index(drop=True)
        rows.index = rows["customer_id"] + "@" + rows["feature_date"].astype(str)
        scored = _value_and_clv(rows.assign(spend_group=rows["customer_type"].fillna("unknown")), fit, settings)
        for _, snap in scored.groupby("feature_date", sort=True):
            snap = snap.copy()
            snap["value_class"], snap["potential_class"], snap["segment"] = _classify(snap, settings)
            parts.append(snap.assign(month=snap["feature_month"]).reset_index(drop=True))
    columns = ["customer_id", "month", "value_class", "potential_class", "segment"]
    return pd.concat([p[columns] for p in parts], ignore_index=True).sort_values(["month", "customer_id"])


def score_customers(
    features: pd.DataFrame,
    invoices: pd.DataFrame,
    contacts: pd.DataFrame,
    as_of: date,
    settings: ModelSettings | None = None,
    model_run_id: str = "adhoc",
) -> ModelResult:
    """All model outputs for one as-of date from the int_customer_features rows (every cut-off; the
    columns of io.FEATURE_COLUMNS, t_days as T_days). `invoices` and `contacts` (int_invoices /
    int_contact_moments up to as_of) feed only ml.churn, which still derives its own inputs."""
    settings = settings or load_settings()
    summary = ModelRunSummary(model_run_id=model_run_id, as_of=as_of)
    timer = _Timer(summary)
    current = model_inputs(features[features["cut_off_kind"].eq("as_of")])
    ids = current.index
    summary.customers = len(ids)

    fit = fit_clv(current, settings.min_repeat_buyers)
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

    frame = _value_and_clv(current, fit, settings)
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
        frame["p_alive"],
        settings.min_churn_examples,
        settings.min_churn_class_examples,
    )
    frame["churn_risk"] = churn.churn_risk.reindex(ids)
    summary.churn_method = str(churn.metrics.get("method", ""))
    timer.step("churn", "%s; auc %s", summary.churn_method, churn.metrics.get("auc"))

    frame["value_class"], frame["potential_class"], frame["segment"] = _classify(frame, settings)
    frame["cluster"] = kmeans_clusters(frame, settings.n_clusters)
    summary.segment_counts = {k: int(v) for k, v in frame["segment"].value_counts().sort_index().items()}
    timer.step("segments", "%s; %d clusters", summary.segment_counts, frame["cluster"].nunique())

    history = segment_history(frame, features[features["cut_off_kind"].eq("month_end")], fit, settings)
    summary.history_rows = len(history)
    timer.step("history", "%d segment_history rows over %d months", len(history), history["month"].nunique())

    outputs = [c for c in io.CUSTOMER_SCORE_COLUMNS if c not in ("model_run_id", "as_of_date")]
    scores = frame.reset_index(names="customer_id")[outputs]
    scores["clv_12m"] = scores["clv_12m"].round(2)

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
            "churn_at_risk": int(frame["churn_risk"].ge(settings.churn_threshold).sum()),
            "segment_counts": summary.segment_counts,
            "value_class_counts": {k: int(v) for k, v in frame["value_class"].value_counts().items()},
            "cluster_counts": {str(k): int(v) for k, v in frame["cluster"].value_counts().sort_index().items()},
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
        features = io.read_features(conn)
        # ml.churn still derives its inputs from the facts (see score_customers)
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
            "%-16s %d feature rows (%d customers as of %s), %d invoices, %d contact moments (%.2fs)",
            "read",
            len(features),
            int(features["cut_off_kind"].eq("as_of").sum()),
            as_of,
            len(invoices),
            len(contacts),
            time.perf_counter() - t0,
        )
        result = score_customers(features, invoices, contacts, as_of, settings, model_run_id)
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
