"""BG/NBD and Gamma-Gamma fits: the CDNOW paper values, the 39-week holdout, and honest failure at the edges."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from ml.clv import (
    FitInputError,
    bgnbd_log_likelihood,
    expected_purchases,
    fit_bgnbd,
    fit_clv,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
    p_alive,
    p_no_purchase,
    score_clv,
    simulate_bgnbd,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(DATA / "cdnow_summary.csv")


@pytest.fixture(scope="module")
def cdnow_holdout(cdnow: pd.DataFrame) -> pd.DataFrame:
    """Calibration (x, t_x, T in weeks, to 1997-09-30) and holdout purchases (to 1998-06-30) per customer,
    a purchase being a customer-day, from the transactions."""
    tx = pd.read_csv(DATA / "cdnow_sample.txt", sep=r"\s+", header=None, names=["id", "sid", "date", "cds", "usd"])
    days = tx.assign(date=pd.to_datetime(tx["date"].astype(str)))[["id", "date"]].drop_duplicates()
    cal_end, hold_end = pd.Timestamp("1997-09-30"), pd.Timestamp("1998-06-30")
    g = days[days["date"] <= cal_end].groupby("id")["date"]
    first, last = g.min(), g.max()
    out = pd.DataFrame({"x": g.size() - 1, "t_x": (last - first).dt.days / 7, "T": (cal_end - first).dt.days / 7})
    later = days[(days["date"] > cal_end) & (days["date"] <= hold_end)]
    out["holdout"] = later.groupby("id").size().reindex(out.index).fillna(0)
    return out


def test_bgnbd_matches_fader_hardie_lee_on_cdnow(cdnow: pd.DataFrame) -> None:
    fit = fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert fit.converged and fit.message == "converged" and fit.grad_norm < 1e-5
    assert fit.r == pytest.approx(0.2426, abs=1e-3)
    assert fit.alpha == pytest.approx(4.4136, abs=1e-3)
    assert fit.a == pytest.approx(0.7929, abs=1e-3)
    assert fit.b == pytest.approx(2.4259, abs=1e-3)
    assert fit.log_likelihood == pytest.approx(-9582.43, abs=5e-3)


def test_bgnbd_weights_give_the_same_fit(cdnow: pd.DataFrame) -> None:
    counted = cdnow.groupby(["x", "t_x", "T"]).size().reset_index(name="n")
    assert len(counted) < len(cdnow)
    by_row = fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    weighted = fit_bgnbd(counted["x"], counted["t_x"], counted["T"], weights=counted["n"])
    assert weighted.log_likelihood == pytest.approx(by_row.log_likelihood, abs=1e-6)
    assert weighted.r == pytest.approx(by_row.r, rel=1e-5)


def test_gamma_gamma_matches_the_paper_on_cdnow(cdnow: pd.DataFrame) -> None:
    """p and q to 3 decimals. The likelihood is flat along v: our maximum is 1.7e-6 log-likelihood units above
    the published (6.2496, 3.7442, 15.4435), at v = 15.4477, so v is held to 0.005 and the LL must not be worse."""
    buyers = cdnow[cdnow["x"] > 0]
    fit = fit_gamma_gamma(buyers["x"], buyers["zbar"])
    assert fit.converged
    assert fit.p == pytest.approx(6.2496, abs=1e-3)
    assert fit.q == pytest.approx(3.7442, abs=1e-3)
    assert fit.v == pytest.approx(15.4435, abs=5e-3)
    paper = gamma_gamma_log_likelihood(6.2496, 3.7442, 15.4435, buyers["x"], buyers["zbar"]).sum()
    assert fit.log_likelihood >= paper
    assert fit.p * fit.v / (fit.q - 1) == pytest.approx(6.2496 * 15.4435 / 2.7442, abs=1e-3)  # mean spend 35.17


def test_cdnow_holdout_purchases(cdnow: pd.DataFrame, cdnow_holdout: pd.DataFrame) -> None:
    h = cdnow_holdout
    assert len(h) == 2357 and h["x"].sum() == cdnow["x"].sum()
    fit = fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    predicted = expected_purchases(fit, 39.0, h["x"], h["t_x"], h["T"])
    assert round(predicted.sum()) == 1653
    assert h["holdout"].sum() == 1882
    assert np.abs(predicted - h["holdout"]).mean() == pytest.approx(0.7855, abs=5e-4)


def test_churn_baseline_ranks_the_right_way_round(cdnow: pd.DataFrame, cdnow_holdout: pd.DataFrame) -> None:
    """P(no purchase in the holdout) ranks silent customers first; 1 - p_alive ranks them backwards."""
    h = cdnow_holdout
    fit = fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    silent = h["holdout"].eq(0).astype(int)
    baseline = p_no_purchase(fit, 39.0, h["x"], h["t_x"], h["T"])
    assert ((baseline >= 0) & (baseline <= 1)).all()
    assert roc_auc_score(silent, baseline) > 0.65
    assert roc_auc_score(silent, 1 - p_alive(fit, h["x"], h["t_x"], h["T"])) < 0.5
    assert baseline.mean() == pytest.approx(silent.mean(), abs=0.05)  # calibrated in the large


def test_bgnbd_recovers_a_million_customer_simulation_shape() -> None:
    """Integer-day histories (as the warehouse has them) collapse to few patterns; the fit stays exact."""
    rng = np.random.default_rng(3)
    sim = simulate_bgnbd(3000, 0.5, 10.0, 0.6, 3.0, T=rng.integers(10, 80, 3000), rng=rng)
    sim["t_x"] = np.floor(sim["t_x"] * 7) / 7  # whole days
    fit = fit_bgnbd(sim["x"], sim["t_x"], sim["T"])
    assert fit.converged and fit.r == pytest.approx(0.5, rel=0.2)


# -------------------------------------------------------------------------------------------- edge cases


def test_five_customers_do_not_claim_convergence() -> None:
    fit = fit_bgnbd([0, 1, 2, 0, 3], [0, 5, 10, 0, 20], [30, 30, 30, 30, 30])
    assert not fit.converged
    assert "ran off" in fit.message


def test_one_repeat_buyer_cannot_identify_dropout() -> None:
    fit = fit_bgnbd([0, 1, 0, 0, 0], [0, 5, 0, 0, 0], [30] * 5)
    assert not fit.converged and "a, b ran off" in fit.message


def test_no_repeat_buyers_raise() -> None:
    with pytest.raises(FitInputError, match="none of 3 customers made a repeat purchase"):
        fit_bgnbd([0, 0, 0], [0, 0, 0], [30, 20, 10])


def test_bad_histories_raise_with_counts() -> None:
    x = np.array([1.0] * 300 + [np.nan] * 2 + [2.0])
    t_x = np.array([5.0] * 300 + [1.0, 1.0, 40.0])
    T = np.full(303, 30.0)
    with pytest.raises(FitInputError) as err:
        fit_bgnbd(x, t_x, T)
    message = str(err.value)
    assert "2 customers with a missing" in message and "1 customers with the last purchase after T" in message
    assert "(of 303)" in message


def test_negative_or_missing_spend_raises() -> None:
    with pytest.raises(FitInputError, match="1 customers with an average spend <= 0"):
        fit_gamma_gamma([1, 2, 3], [10.0, -20.0, 15.0])
    with pytest.raises(FitInputError, match="2 customers without a repeat purchase"):
        fit_gamma_gamma([0, 0, 3], [10.0, 20.0, 15.0])


def _book(n: int = 2000, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sim = simulate_bgnbd(n, 0.4, 5.0, 0.7, 2.5, T=rng.integers(20, 60, n).astype(float), rng=rng)
    spend = rng.gamma(4.0, 25.0, n)
    x, t_x, T = (sim[c].to_numpy() for c in ("x", "t_x", "T"))
    return pd.DataFrame(
        {
            "frequency": x.astype(int),
            "recency_days": np.floor(t_x * 7),
            "T_days": T * 7,
            "monetary_avg": np.where(x > 0, spend, 0.0),
            "revenue_total": spend * (x + 1),
            "margin_total": spend * (x + 1) * 0.3,
        },
        index=[f"C{i}" for i in range(n)],
    )


def test_fit_clv_leaves_out_nan_rows_and_says_so() -> None:
    rfm = _book()
    rfm.iloc[:300, rfm.columns.get_loc("recency_days")] = np.nan
    rfm.iloc[300, rfm.columns.get_loc("recency_days")] = rfm.iloc[300]["T_days"] + 7  # last purchase after T
    fit = fit_clv(rfm)
    assert fit.bgnbd is not None and fit.bgnbd_status.startswith("fitted")
    assert "left out: 300 missing frequency/recency/T, 1 last purchase after T" in fit.bgnbd_status
    assert fit.buyers == len(rfm) - 301
    scored = score_clv(rfm, fit)
    assert scored["clv_12m"].iloc[:301].isna().all()
    assert scored["clv_12m"].iloc[301:].notna().all() and (scored["clv_12m"].iloc[301:] >= 0).all()


def test_fit_clv_with_negative_spend_stays_sane() -> None:
    rfm = _book()
    repeat = rfm.index[rfm["frequency"] > 0][:50]
    rfm.loc[repeat, "monetary_avg"] = -1e6  # credit notes larger than the sales
    fit = fit_clv(rfm)
    assert fit.gamma_gamma is not None
    assert "50 repeat buyers with average spend <= 0 get the population mean" in fit.gamma_gamma_status
    scored = score_clv(rfm, fit)
    assert scored["expected_margin_per_purchase"].min() > -1000
    assert scored.loc[repeat, "expected_margin_per_purchase"].abs().max() < 1e3


def test_fit_clv_few_repeat_buyers_fall_back_visibly() -> None:
    rfm = _book(n=8)
    fit = fit_clv(rfm, min_repeat_buyers=20)
    assert fit.bgnbd is None and fit.bgnbd_status.startswith("fallback:")
    assert score_clv(rfm, fit)["clv_12m"].notna().all()


def test_fast_likelihood_equals_the_paper_formula(cdnow: pd.DataFrame) -> None:
    """The fit's pattern-organised mean LL and hand-written gradient against eq. (6) row by row."""
    from ml.clv import _bgnbd_mean_ll, _patterns

    x, t_x, T = (cdnow[c].to_numpy(float) for c in ("x", "t_x", "T"))
    pat = _patterns(x, t_x, T)
    params = np.array([0.3, 4.0, 0.7, 2.0])
    mean, grad = _bgnbd_mean_ll(params, pat, pat.share_of(0))
    assert mean == pytest.approx(bgnbd_log_likelihood(*params, x, t_x, T).mean(), rel=1e-12)
    for i, step in enumerate(np.eye(4) * 1e-6):
        numeric = bgnbd_log_likelihood(*(params + step), x, t_x, T) - bgnbd_log_likelihood(*(params - step), x, t_x, T)
        assert grad[i] == pytest.approx(numeric.mean() / 2e-6, rel=1e-5)
