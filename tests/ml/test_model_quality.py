"""Potential, churn check, backtest, clusters and look-alikes: pure functions on hand-made and demo frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.backtest import backtest, capture, geometric_blend, scaled_to
from ml.churn import calibration_error, choose_churn_model, churn_labels, classification_metrics, predict_churn
from ml.clusters import cluster_customers
from ml.lookalike import LookalikeError, prospect_traits, score_lookalikes
from ml.potential import potential_classes_within, potential_scores, top_share


def test_top_share_breaks_ties_to_the_exact_share() -> None:
    score = pd.Series([0.0] * 8 + [5.0, 5.0])
    tiebreak = pd.Series(np.arange(10.0))
    assert top_share(score, tiebreak, 0.8).tolist() == [False] * 8 + [True, True]
    flat = top_share(pd.Series([1.0] * 10), tiebreak, 0.7)  # all tied: the tiebreak decides, 3 high
    assert flat.sum() == 3 and flat.iloc[-3:].all()


def test_every_cell_gets_the_minimum_share_where_the_value_class_allows() -> None:
    # CDNOW-like: 7% high value, 21% low, 72% no purchase in the last 12 months
    value_class = pd.Series(["high"] * 7 + ["low"] * 21 + ["none"] * 72)
    score = pd.Series(np.arange(100.0))
    quantiles = potential_classes_within(score, value_class, score, 0.8)
    assert quantiles[value_class.eq("high")].eq("high").sum() == 2  # ceil(20% of 7): 2% of customers
    floored = potential_classes_within(score, value_class, score, 0.8, min_cell_share=0.03)
    cells = pd.crosstab(value_class, floored)
    assert cells.loc["high"].tolist() == [3, 4]  # 3% of 100 is high/high, 4 stay high/low
    assert cells.loc["low"].tolist() == [5, 16] and cells.loc["none"].tolist() == [15, 57]  # 20% already > 3%
    tiny = potential_classes_within(score, value_class, score, 0.8, min_cell_share=0.05)
    assert pd.crosstab(value_class, tiny).loc["high"].tolist() == [2, 5]  # 7 < 2 x 5: the quantile rule stays


def _book(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    clv = rng.lognormal(5, 1.2, n)
    return pd.DataFrame(
        {
            "customer_type": rng.choice(["person", "organisation"], n, p=[0.8, 0.2]),
            "tenure_days": rng.integers(30, 1500, n),
            "monetary_avg": rng.lognormal(4, 1, n),
            "clv_12m": clv,
            "current_value_12m": clv * rng.lognormal(0, 0.6, n) - 50,
            "revenue_12m": np.where(rng.random(n) < 0.15, 0.0, clv * 3),
            "churn_risk": rng.uniform(0, 1, n),
            "margin_12m": clv * rng.lognormal(0, 0.5, n),
            "margin_previous_12m": clv * rng.lognormal(0, 0.5, n),
        },
        index=[f"C{i}" for i in range(n)],
    )


def test_potential_is_headroom_not_value_and_fills_every_cell() -> None:
    book = _book()
    pot = potential_scores(book)
    assert (pot["headroom"] >= 0).all() and (pot["potential_score"] >= 0).all()
    top_value = book["clv_12m"] >= book["clv_12m"].quantile(0.95)
    assert pot.loc[top_value, "headroom"].median() == 0  # the best are at their peers' level already
    rho = book["clv_12m"].corr(pot["potential_score"], method="spearman")
    assert rho < 0.5
    high = book["clv_12m"] >= book["clv_12m"].quantile(0.8)  # value_high_quantile 0.8
    value_class = pd.Series(np.where(book["revenue_12m"] > 0, np.where(high, "high", "low"), "none"), book.index)
    cls = potential_classes_within(pot["potential_score"], value_class, pot["churn_adjusted_value"], 0.8)
    cells = pd.crosstab(value_class, cls) / len(book)
    assert cells.shape == (3, 2) and (cells.to_numpy() >= 0.02).all()


def test_calibration_error_and_metrics() -> None:
    y = np.array([0, 0, 1, 1] * 25)
    assert calibration_error(y, np.full(100, 0.5)) == pytest.approx(0.0)
    assert calibration_error(y, np.full(100, 0.9)) == pytest.approx(0.4)
    m = classification_metrics(pd.Series(y), pd.Series(np.where(y == 1, 0.8, 0.2)))
    assert m["auc"] == 1.0 and m["brier"] == pytest.approx(0.04)


def test_churn_model_kept_only_when_it_beats_the_baseline_out_of_time() -> None:
    rng = np.random.default_rng(1)
    n = 600
    signal = rng.normal(size=(2, n))
    y_tr = pd.Series((signal[0] + rng.normal(0, 0.5, n) > 0).astype(int))
    y_va = pd.Series((signal[1] + rng.normal(0, 0.5, n) > 0).astype(int), index=range(n, 2 * n))
    x_tr = pd.DataFrame({"f": signal[0]})
    x_va = pd.DataFrame({"f": signal[1]}, index=y_va.index)
    useless = pd.Series(0.5, index=y_va.index)
    use, m = choose_churn_model(x_tr, y_tr, x_va, y_va, useless)
    assert use and m["model"]["auc"] > 0.9 and m["baseline"]["auc"] == 0.5
    perfect = y_va.astype(float) * 0.98 + 0.01
    use, m = choose_churn_model(x_tr, y_tr, x_va, y_va, perfect)
    assert not use and "does not beat" in m["reason"]
    use, m = choose_churn_model(x_tr.iloc[:20], y_tr.iloc[:20], x_va, y_va, useless)
    assert not use and m["reason"].startswith("too few examples")


def test_capture() -> None:
    actual = pd.Series([100.0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    assert capture(pd.Series(np.arange(10.0)[::-1]), actual) == 1.0
    assert capture(pd.Series(np.arange(10.0)), actual) == 0.0


def _cut_off(n: int, seed: int, date_: str) -> pd.DataFrame:
    """Feature rows of buyers at one cut-off: the recently active buy again, the long silent do not."""
    rng = np.random.default_rng(seed)
    silent = rng.integers(1, 700, n).astype(float)
    frequency = rng.integers(0, 8, n)
    t_days = silent + rng.integers(0, 900, n)
    return pd.DataFrame(
        {
            "feature_date": date_,
            "customer_type": rng.choice(["person", "organisation"], n),
            "frequency": frequency,
            "recency_days": np.where(frequency > 0, t_days - silent, 0.0),
            "T_days": t_days,
            "days_since_last": silent,
            "monetary_avg": np.where(frequency > 0, rng.lognormal(4, 1, n), 0.0),
            "revenue_total": rng.lognormal(5, 1, n),
            "margin_total": rng.lognormal(4, 1, n),
            "revenue_12m": np.where(silent < 365, rng.lognormal(4, 1, n), 0.0),
            "margin_12m": np.where(silent < 365, rng.lognormal(3, 1, n), 0.0),
            "margin_previous_12m": rng.lognormal(3, 1, n),
            "purchase_days_12m": np.where(silent < 365, 1 + frequency // 2, 0),
            "contacts_12m": rng.integers(0, 5, n),
            "contact_cost_12m": rng.uniform(0, 50, n),
        },
        index=pd.Index([f"C{i}" for i in range(n)], name="customer_id"),
    )


def _later(rows: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The row a year later: no purchase day mostly for those silent long before."""
    rng = np.random.default_rng(seed)
    bought = rng.random(len(rows)) < np.where(rows["days_since_last"] < 200, 0.85, 0.15)
    return rows.assign(purchase_days_12m=np.where(bought, 2, 0), margin_12m=np.where(bought, 100.0, 0.0))


def test_churn_is_labelled_by_the_row_a_year_later_and_checked_out_of_time() -> None:
    training = _cut_off(600, 1, "2022-06-30")
    cut_off = _later(training, 2).assign(feature_date="2023-06-30")
    current = _later(cut_off, 3).assign(feature_date="2024-06-30")
    labels = churn_labels(cut_off.index[:3], current.drop(index="C1"))
    assert labels.index.tolist() == ["C0", "C2"]  # no later row: left out, not counted as churned
    assert labels.tolist() == current.loc[["C0", "C2"], "purchase_days_12m"].eq(0).astype(int).tolist()
    result = predict_churn(training, cut_off, current, pd.Series(0.5, index=current.index))
    check = result.metrics["out_of_time"]
    assert result.metrics["validation"] == "trained 2022-06-30 -> 2023-06-30, tested 2023-06-30 -> 2024-06-30"
    assert check["train_customers"] == 600 and check["valid_customers"] == 600
    assert check["model"]["auc"] > 0.7 and result.metrics["method"].startswith("logistic regression")
    assert result.churn_risk.notna().all() and result.churn_risk.between(0, 1).all()


def test_backtest_scores_the_cut_off_rows_against_the_as_of_margin() -> None:
    training = _cut_off(300, 4, "2022-06-30")
    cut_off = _later(training, 5).assign(feature_date="2023-06-30")
    current = _later(cut_off, 6).assign(feature_date="2024-06-30")
    result = backtest(training, cut_off, current, min_repeat_buyers=1000)  # BG/NBD falls back: fast
    assert result.customers == 300 and str(result.cutoff) == "2023-06-30"
    assert result.metrics["ideal"]["total_ratio"] == 1.0
    # the naive model predicts the cut-off rows' own margin_12m: its total ratio is against the as-of margin
    naive = result.metrics["naive_last_12m"]["total_ratio"]
    assert naive == pytest.approx(cut_off["margin_12m"].sum() / current["margin_12m"].sum())
    # the training year was large enough to learn from; the log-target ridge and the blend take their
    # level from the two mean models (BG/NBD + Gamma-Gamma and the Poisson GBM)
    m = result.metrics
    level = (m["bgnbd_gg"]["total_ratio"] + m["gbm"]["total_ratio"]) / 2
    assert m["ridge"]["total_ratio"] == pytest.approx(level) and m["blend"]["total_ratio"] == pytest.approx(level)
    assert result.chosen in ("bgnbd_gg", "gbm", "ridge", "blend", "naive_last_12m")


def test_geometric_blend_averages_logs_and_scaling_keeps_the_ranking() -> None:
    parts = pd.DataFrame({"a": [0.0, 3.0, 1.0], "b": [0.0, 15.0, 1.0]})
    blend = geometric_blend(parts)
    assert blend.tolist() == pytest.approx([0.0, 7.0, 1.0])  # exp((log 4 + log 16) / 2) - 1 = 7
    scaled = scaled_to(blend, 16.0)
    assert scaled.sum() == pytest.approx(16.0) and scaled.rank().tolist() == blend.rank().tolist()


def test_clusters_pick_k_by_silhouette_and_say_what_they_are() -> None:
    rng = np.random.default_rng(2)
    groups = [  # frequency, monetary_avg, days_since_last, tenure, value, type
        (20, 30.0, 10, 900, 2000.0, "person"),
        (1, 5000.0, 30, 600, 9000.0, "organisation"),
        (0, 25.0, 600, 700, 0.0, "person"),
    ]
    rows = []
    for f, m, d, t, v, kind in groups:
        for _ in range(150):
            rows.append(
                {
                    "frequency": max(0, round(f * rng.lognormal(0, 0.1))),
                    "monetary_avg": m * rng.lognormal(0, 0.1),
                    "days_since_last": d * rng.lognormal(0, 0.1),
                    "tenure_days": t * rng.lognormal(0, 0.1),
                    "current_value_12m": v * rng.lognormal(0, 0.1),
                    "customer_type": kind,
                }
            )
    frame = pd.DataFrame(rows)
    result = cluster_customers(frame, 2, 6)
    assert result.k == 3 and max(result.silhouettes, key=result.silhouettes.get) == 3
    words = result.profiles.set_index("cluster")["description"]
    assert words[0] == "occasional large B2B buyers"  # highest value first
    assert words[1] == "frequent small B2C buyers"
    assert words[2] == "one-time small B2C buyers, lapsed"
    assert result.profiles["customers"].tolist() == [150, 150, 150]


def test_lookalikes_score_prospects_with_reasons_and_consent() -> None:
    rng = np.random.default_rng(3)
    n = 800
    customers = pd.DataFrame(
        {
            "customer_type": rng.choice(["person", "organisation"], n),
            "newsletter_clicks": rng.poisson(2, n).astype(float),
        }
    )
    best = (customers["customer_type"].eq("organisation") & (rng.random(n) < 0.6)) | (rng.random(n) < 0.05)
    prospects = pd.DataFrame(
        {
            "customer_type": ["organisation", "person"],
            "newsletter_clicks": [2.0, 2.0],
            "email_opt_in": [True, False],
            "phone_opt_in": [False, True],
        },
        index=["P1", "P2"],
    )
    out = score_lookalikes(customers, best, prospects, ["customer_type", "newsletter_clicks"])
    assert out.index.tolist() == ["P1", "P2"]
    assert out.loc["P1", "lookalike_score"] > 2 * out.loc["P2", "lookalike_score"]
    assert 0 < out.loc["P2", "lookalike_score"] < out.loc["P1", "lookalike_score"] < 1
    assert "customer_type is organisation" in out.loc["P1", "reasons"]
    assert "customer_type is" not in out.loc["P2", "reasons"]  # never the absence of a category as a reason
    assert out.loc["P1", "email_opt_in"] and not out.loc["P1", "phone_opt_in"]
    with pytest.raises(LookalikeError, match="need 10 best"):
        score_lookalikes(customers, pd.Series(False, index=customers.index), prospects, ["customer_type"])


def test_prospect_traits_are_known_before_a_purchase() -> None:
    customers = pd.DataFrame(
        {
            "customer_id": ["C-1", "C-2"],
            "customer_type": ["organisation", None],
            "postcode": ["1234AB", None],
            "email": ["info@bakkerij-jansen.nl", None],
            "phone": [None, "+31612345678"],
            "kvk_number": ["12345678", None],
        }
    )
    traits = prospect_traits(customers)
    assert traits.loc["C-1"].tolist() == ["organisation", "12", 1.0, 0.0, 1.0]
    assert traits.loc["C-2"].tolist() == ["unknown", "unknown", 0.0, 1.0, 0.0]


def test_min_cell_share_is_read_from_the_seed_and_checked(tmp_path) -> None:  # noqa: ANN001
    from ml.config import SEEDS_DIR, ConfigError, load_settings

    assert load_settings().min_cell_share == 0.02
    (tmp_path / "segment_matrix.csv").write_text((SEEDS_DIR / "segment_matrix.csv").read_text())
    (tmp_path / "model_settings.csv").write_text("key,value,description\nmin_cell_share,0.2,too big\n")
    with pytest.raises(ConfigError, match="min_cell_share=0.2 must be between 0 and 1/6"):
        load_settings(tmp_path)
