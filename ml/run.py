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
from ml.backtest import chosen_value
from ml.churn import predict_churn
from ml.clusters import cluster_customers
from ml.clv import ClvFit, fit_clv, score_clv
from ml.config import ModelSettings, load_settings
from ml.lookalike import TRAITS, LookalikeError, prospect_traits, score_lookalikes
from ml.potential import potential_classes_within, potential_scores
from ml.segments import assign_segments, value_classes

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
    cluster_profiles: pd.DataFrame = field(default_factory=pd.DataFrame)  # ml.cluster_profiles columns
    lookalikes: pd.DataFrame = field(default_factory=pd.DataFrame)  # ml.prospect_lookalikes columns


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
    tiebreak = frame["clv_12m"].fillna(0) * (1 - frame.get("churn_risk", pd.Series(0.5, index=frame.index)).fillna(0.5))
    potential_class = potential_classes_within(
        frame["potential_score"], value_class, tiebreak, settings.potential_high_quantile, settings.min_cell_share
    )
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


def cut_off_rows(features: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The model inputs of one cut-off kind (as_of, churn_cut_off, training_cut_off)."""
    return model_inputs(features[features["cut_off_kind"].eq(kind)])


def _value_and_clv(rows: pd.DataFrame, fit: ClvFit, settings: ModelSettings) -> pd.DataFrame:
    clv = score_clv(rows, fit, settings.clv_horizon_months, settings.discount_rate_yearly)
    frame = pd.concat([rows, clv], axis=1)
    frame["potential_score"] = _potential(frame)
    return frame


def _potential(frame: pd.DataFrame) -> pd.Series:
    """Headroom against similar customers, churn-adjusted, plus margin growth (ml.potential)."""
    return potential_scores(frame)["potential_score"].round(2)


def segment_history(frame: pd.DataFrame, month_ends: pd.DataFrame, settings: ModelSettings) -> pd.DataFrame:
    """Segment per customer per month: the as-of month from `frame`, each earlier month from the
    features of its month-end (what was known then), scored with a CLV fit on that month-end's rows
    only (no look-ahead) and classified among the customers of that month. The month's revenue_12m and
    current_value_12m are copied from its feature row and its clv_12m kept, so a past run's history stays
    readable and the monthly evaluation can split the CLV change."""
    parts = [frame.assign(month=frame["feature_month"]).reset_index(names="customer_id")]
    for _, rows in month_ends.groupby("feature_date", sort=True):
        rows = model_inputs(rows)
        snap = _value_and_clv(rows, fit_clv(rows, settings.min_repeat_buyers), settings)
        snap["value_class"], snap["potential_class"], snap["segment"] = _classify(snap, settings)
        parts.append(snap.assign(month=snap["feature_month"]).reset_index(names="customer_id"))
    columns = [c for c in io.SEGMENT_HISTORY_COLUMNS if c != "model_run_id"]
    history = pd.concat([p[columns] for p in parts], ignore_index=True).sort_values(["month", "customer_id"])
    return history.assign(clv_12m=history["clv_12m"].round(2))


def lookalikes(frame: pd.DataFrame, traits: pd.DataFrame | None) -> tuple[pd.DataFrame, dict[str, object]]:
    """Parties who never bought scored against the high-value buyers on traits known before a purchase
    (ml.lookalike); empty, with the reason, when there are too few of either."""
    if traits is None or traits.empty:
        return pd.DataFrame(), {"reason": "no traits read"}
    buyers = frame[frame["T_days"].notna()]
    prospects = traits.loc[traits.index.intersection(frame.index[frame["T_days"].isna()])]
    try:
        scored = score_lookalikes(traits.reindex(buyers.index), buyers["value_class"].eq("high"), prospects, TRAITS, ())
    except LookalikeError as exc:
        return pd.DataFrame(), {"reason": str(exc)}
    out = scored.reset_index(names="customer_id")
    out["lookalike_score"] = out["lookalike_score"].round(4)
    return out, {"prospects": len(out), "best_customers": int(buyers["value_class"].eq("high").sum())}


def score_customers(
    features: pd.DataFrame,
    as_of: date,
    settings: ModelSettings | None = None,
    model_run_id: str = "adhoc",
    traits: pd.DataFrame | None = None,
) -> ModelResult:
    """All model outputs for one as-of date from the int_customer_features rows (every cut-off; the
    columns of io.FEATURE_COLUMNS, t_days as T_days). `traits` (ml.lookalike.prospect_traits, indexed by
    customer_id) feeds the look-alikes; without it none are scored."""
    settings = settings or load_settings()
    summary = ModelRunSummary(model_run_id=model_run_id, as_of=as_of)
    timer = _Timer(summary)
    current = cut_off_rows(features, "as_of")
    cut_off = cut_off_rows(features, "churn_cut_off")
    training = cut_off_rows(features, "training_cut_off")
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
    chosen, backtest_record = chosen_value(
        training, cut_off, current, settings.discount_rate_yearly, settings.min_repeat_buyers
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
        training,
        cut_off,
        current,
        frame["p_no_purchase_12m"],
        settings.min_churn_examples,
        settings.min_churn_class_examples,
        settings.min_repeat_buyers,
    )
    frame["churn_risk"] = churn.churn_risk.reindex(ids)
    frame["potential_score"] = _potential(frame)  # now with churn risk and the chosen value
    summary.churn_method = str(churn.metrics.get("method", ""))
    timer.step("churn", "%s; auc %s", summary.churn_method, churn.metrics.get("auc"))

    frame["value_class"], frame["potential_class"], frame["segment"] = _classify(frame, settings)
    clustering = cluster_customers(frame, 2, settings.n_clusters)  # k by silhouette up to n_clusters
    frame["cluster"] = clustering.labels.reindex(frame.index)  # null for customers who never bought
    summary.segment_counts = {k: int(v) for k, v in frame["segment"].value_counts().sort_index().items()}
    timer.step("segments", "%s; %d clusters", summary.segment_counts, frame["cluster"].nunique())

    prospects, lookalike_record = lookalikes(frame, traits)
    timer.step("lookalikes", "%d prospects scored; %s", len(prospects), lookalike_record.get("reason", "ok"))

    history = segment_history(frame, features[features["cut_off_kind"].eq("month_end")], settings)
    summary.history_rows = len(history)
    timer.step("history", "%d segment_history rows over %d months", len(history), history["month"].nunique())

    outputs = [c for c in io.CUSTOMER_SCORE_COLUMNS if c not in ("model_run_id", "as_of_date")]
    scores = frame.reset_index(names="customer_id")[outputs]
    scores["clv_12m"] = scores["clv_12m"].round(2)
    scores["cluster"] = scores["cluster"].astype("Int64")

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
            "lookalikes": lookalike_record,
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
    profiles = clustering.profiles.round(4)
    return ModelResult(scores, history, params, metrics, summary, profiles, prospects)


def run_models(url: str, as_of: date, model_run_id: str, settings: ModelSettings | None = None) -> ModelRunSummary:
    """Read the feature table, score every customer, replace this run's rows in the ml tables."""
    from cvm.warehouse import connect

    started = datetime.now(UTC)
    t0 = time.perf_counter()
    with connect(url) as conn:
        io.ensure_ml_tables(conn)
        features = io.read_features(conn)
        log.info(
            "%-16s %d feature rows (%d customers as of %s) (%.2fs)",
            "read",
            len(features),
            int(features["cut_off_kind"].eq("as_of").sum()),
            as_of,
            time.perf_counter() - t0,
        )
        customers = io.read_table(
            conn,
            "intermediate.int_customers",
            ["customer_id", "customer_type", "postcode", "email", "phone", "kvk_number"],
        )
        result = score_customers(features, as_of, settings, model_run_id, prospect_traits(customers))
        summary = result.summary
        t = time.perf_counter()
        io.delete_run(conn, "ml.customer_scores", model_run_id)
        io.delete_run(conn, "ml.segment_history", model_run_id)
        io.delete_run(conn, "ml.cluster_profiles", model_run_id)
        io.delete_run(conn, "ml.prospect_lookalikes", model_run_id)
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
        for table, frame, columns in (
            ("ml.cluster_profiles", result.cluster_profiles, io.CLUSTER_PROFILE_COLUMNS),
            ("ml.prospect_lookalikes", result.lookalikes, io.LOOKALIKE_COLUMNS),
        ):
            if len(frame):
                io.copy_frame(conn, table, frame.assign(model_run_id=model_run_id), columns)
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
