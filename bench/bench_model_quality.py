"""Model quality: the out-of-time backtest, churn check and value x potential cells on several warehouses,
the same backtest on an independent Pareto/NBD generator, and the ranking figures on CDNOW (real data).

    .venv/bin/python bench/bench_model_quality.py --as-of 2026-10-31 \
        --db "seed 21, 3k=postgresql://..." --db "seed 21, 10k=postgresql://..."

Each --db is a warehouse that `cvm run` built (e.g. on `cvm demo-data` exports with a seed the tests do not
use); its intermediate.int_customer_features is scored by ml.run.score_customers as of --as-of. The figures
go between the `models` markers of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_clv import write_results  # noqa: E402

from cvm.demo import history  # noqa: E402
from ml import io  # noqa: E402
from ml.backtest import backtest, score_predictions  # noqa: E402
from ml.clv import fit_clv, score_clv  # noqa: E402
from ml.config import load_settings  # noqa: E402
from ml.potential import potential_classes_within, potential_scores  # noqa: E402
from ml.run import score_customers  # noqa: E402
from ml.segments import value_classes  # noqa: E402

START, END = "<!-- models:start -->", "<!-- models:end -->"
CDNOW = ROOT / "tests" / "ml" / "data" / "cdnow_sample.txt"


def cells(value_class: pd.Series, potential_class: pd.Series) -> pd.Series:
    """Share of customers per value x potential cell (every cell of the matrix, empty ones as 0)."""
    shares = pd.crosstab(value_class, potential_class).stack() / len(value_class)
    full = pd.MultiIndex.from_product([["high", "low", "none"], ["high", "low"]])
    return shares.reindex(full, fill_value=0.0)


def warehouse(url: str, as_of: date, label: str) -> dict[str, object]:
    with psycopg.connect(url) as conn:
        features = io.read_features(conn)
    started = time.perf_counter()
    result = score_customers(features, as_of)
    m = result.metrics["models"]
    s = result.scores
    value = features[features["cut_off_kind"].eq("as_of")].set_index("customer_id")["current_value_12m"]
    return {
        "label": label,
        "customers": len(s),
        "seconds": time.perf_counter() - started,
        "backtest": m["backtest"],
        "churn": m["churn"],
        "cells": cells(s["value_class"], s["potential_class"]),
        "potential_vs_value": s.set_index("customer_id")["potential_score"].corr(
            value.reindex(s["customer_id"]), method="spearman"
        ),
    }


def cdnow() -> dict[str, object]:
    """CDNOW 1/10th sample: rank at the end of the 39-week calibration (1997-09-30) against spend in the
    39-week holdout; naive = calibration spend. Then value x potential cells as of the end of the data."""
    tx = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["id", "sid", "date", "cds", "usd"])
    days = tx.assign(date=pd.to_datetime(tx["date"].astype(str))).groupby(["id", "date"], as_index=False)["usd"].sum()
    cal_end, hold_end = pd.Timestamp("1997-09-30"), pd.Timestamp("1998-06-30")
    rows = summary(days[days["date"] <= cal_end], cal_end, months=9)
    fit = fit_clv(rows, 20)
    holdout = days[(days["date"] > cal_end) & (days["date"] <= hold_end)].groupby("id")["usd"].sum()
    pred = pd.DataFrame(
        {
            "bgnbd_gg": score_clv(rows, fit, 9, 0.0)["clv_12m"],
            "naive_calibration_spend": rows["revenue_total"],
        }
    )
    ranking = score_predictions(pred, holdout.reindex(rows.index).fillna(0.0))
    # value x potential as of the end of the data, as the run classifies them
    now = summary(days, hold_end, months=12)
    frame = pd.concat([now, score_clv(now, fit_clv(now, 20), 12, 0.10)], axis=1)
    frame["churn_risk"] = frame["p_no_purchase_12m"]
    frame["potential_score"] = potential_scores(frame)["potential_score"]
    settings = load_settings()
    value_class = value_classes(frame["revenue_12m"], frame["current_value_12m"], settings.value_high_quantile)
    tiebreak = frame["clv_12m"].fillna(0) * (1 - frame["churn_risk"].fillna(0.5))
    potential_class = potential_classes_within(
        frame["potential_score"], value_class, tiebreak, settings.potential_high_quantile, settings.min_cell_share
    )
    return {
        "customers": len(rows),
        "zero_holdout": float(holdout.reindex(rows.index).fillna(0).eq(0).mean()),
        "ranking": ranking,
        "bgnbd_status": fit.bgnbd_status,
        "cells": cells(value_class, potential_class),
    }


def summary(days: pd.DataFrame, cut_off: pd.Timestamp, months: int) -> pd.DataFrame:
    """Feature-table-shaped rows from CDNOW purchase days (spend as margin: CDNOW has no cost), the window
    being the last `months` months before cut_off."""
    g = days.groupby("id")
    first, last = g["date"].min(), g["date"].max()
    window = days[days["date"] > cut_off - pd.DateOffset(months=months)].groupby("id")["usd"].sum()
    repeat = days[days["date"] > days["id"].map(first)].groupby("id")["usd"].mean()
    out = pd.DataFrame(
        {
            "customer_type": "person",
            "frequency": g.size() - 1,
            "recency_days": (last - first).dt.days,
            "T_days": (cut_off - first).dt.days,
            "days_since_last": (cut_off - last).dt.days,
            "tenure_days": (cut_off - first).dt.days,
            "monetary_avg": repeat.reindex(first.index).fillna(0.0),
            "revenue_total": g["usd"].sum(),
        }
    )
    out["margin_total"] = out["revenue_total"]
    out["revenue_12m"] = out["margin_12m"] = out["current_value_12m"] = window.reindex(out.index).fillna(0.0)
    out["margin_previous_12m"] = 0.0
    return out


def pareto_transactions(seed: int, n: int, years: float = 5.0) -> pd.DataFrame:
    """Pareto/NBD purchases (continuous Exp(mu) lifetimes, unlike the demo's dropout-after-purchase) with
    log-normal spend, acquisition spread over the first four years; one row per purchase day."""
    rng = np.random.default_rng(seed)
    org = rng.random(n) < 0.25
    lam = rng.gamma(np.where(org, 1.2, 0.8), np.where(org, 8.0, 4.0)) / 365.25  # per day
    mu = rng.gamma(1.0, np.where(org, 0.15, 0.35)) / 365.25
    start = rng.uniform(0, 4 * 365.25, n)
    death = start + rng.exponential(1.0 / mu)
    end = years * 365.25
    mean_spend = rng.lognormal(np.where(org, 6.5, 4.0), 0.6)
    counts = rng.poisson(lam * (np.minimum(death, end) - start))
    cust = np.repeat(np.arange(n), counts + 1)
    first = start[cust]
    offset = rng.uniform(0, 1, len(cust)) * (np.minimum(death, end) - start)[cust]
    is_first = np.r_[True, cust[1:] != cust[:-1]]
    day = np.floor(np.where(is_first, first, first + offset))
    amount = mean_spend[cust] * rng.lognormal(-0.125, 0.5, len(cust))
    tx = pd.DataFrame({"customer_id": cust.astype(str), "day": day, "amount": amount, "org": org[cust]})
    return (
        tx[tx["day"] < end]
        .groupby(["customer_id", "day"], as_index=False)
        .agg(amount=("amount", "sum"), org=("org", "first"))
    )


def feature_rows(tx: pd.DataFrame, cut: float, kind: str) -> pd.DataFrame:
    """int_customer_features-shaped rows at day `cut` (margin 30% of spend), as ml.backtest reads them."""
    known = tx[tx["day"] <= cut]
    g = known.groupby("customer_id")
    first, last = g["day"].min(), g["day"].max()
    margin = known.assign(m=known["amount"] * 0.3)
    w12 = margin[margin["day"] > cut - 365].groupby("customer_id")
    w24 = margin[(margin["day"] > cut - 730) & (margin["day"] <= cut - 365)].groupby("customer_id")
    rep = known[known["day"] > known["customer_id"].map(first)].groupby("customer_id")["amount"].mean()
    out = pd.DataFrame(
        {
            "feature_date": cut,
            "cut_off_kind": kind,
            "customer_type": np.where(g["org"].first(), "organisation", "person"),
            "frequency": g.size() - 1,
            "recency_days": last - first,
            "T_days": cut - first,
            "days_since_last": cut - last,
            "tenure_days": cut - first,
            "monetary_avg": rep.reindex(first.index).fillna(0.0),
            "revenue_total": g["amount"].sum(),
        }
    )
    out["margin_total"] = out["revenue_total"] * 0.3
    out["revenue_12m"] = w12["amount"].sum().reindex(out.index).fillna(0.0)
    out["margin_12m"] = w12["m"].sum().reindex(out.index).fillna(0.0)
    out["margin_previous_12m"] = w24["m"].sum().reindex(out.index).fillna(0.0)
    out["purchase_days_12m"] = w12.size().reindex(out.index).fillna(0).astype(int)
    out.index.name = "customer_id"
    return out


def pareto(seed: int, n: int) -> dict[str, object]:
    """The backtest on an independent generator: T-24 / T-12 / T cut-offs of 5 years of Pareto/NBD purchases."""
    tx = pareto_transactions(seed, n)
    end = 5 * 365.25
    rows = [feature_rows(tx, end - k * 365.25, kind) for k, kind in ((2, "training"), (1, "cut_off"), (0, "as_of"))]
    started = time.perf_counter()
    result = backtest(*rows)
    return {
        "label": f"Pareto/NBD seed {seed}, {n // 1000}k",
        "customers": n,
        "seconds": time.perf_counter() - started,
        "backtest": result.as_dict(),
    }


def demo_ceiling(seed: int, n: int, b2b_share: float = 0.2) -> dict[str, tuple[float, float]]:
    """What any model could reach on the demo's purchase process (cvm.demo.history, 3 years, cut-off a year
    before the end): (Spearman, top-20% capture) of rankings that know each customer's latent rate, dropout
    and spend, with and without knowing whether the customer has already dropped out."""
    gen, rng = np.random.default_rng(seed), random.Random(seed)
    end, cut = 3 * 365, 2 * 365
    rows = []
    for priors, share in ((history.B2C, 1 - b2b_share), (history.B2B, b2b_share)):
        m = int(n * share)
        d = history.draw_latent(gen, priors, m)
        first = (history.acquisition_days(gen, 0, 1, m) * end).astype(int)
        for i in np.flatnonzero(first <= cut):
            bought, dropped = history.simulate_purchases(
                rng, int(first[i]), end, d.rate[i], d.dropout[i], priors.spend_p, d.nu[i]
            )
            margin = [(day, amount * rng.uniform(0.15, 0.5)) for day, amount in bought]  # cvm.demo.finance
            future = sum(a for day, a in margin if cut < day <= end)
            last_year = sum(a for day, a in margin if cut - 365 < day <= cut)
            rate, p = d.rate[i], d.dropout[i]
            value = (1 - np.exp(-rate * p)) / p * priors.spend_p / d.nu[i] * 0.325  # a year alive, mean margin
            silence = np.exp(-rate * (cut - max(day for day, _ in margin if day <= cut)) / 365.0)
            alive = (1 - p) * silence / ((1 - p) * silence + p)  # P(not dropped | latent, silence so far)
            known = dropped is None or dropped > cut
            rows.append((known * value, alive * value, last_year, future))
    r = pd.DataFrame(rows, columns=["alive_known", "latent_known", "naive_last_12m", "future"])
    scored = score_predictions(r[["alive_known", "latent_known", "naive_last_12m"]], r["future"])
    return {k: (v["spearman"], v["top20_capture"]) for k, v in scored.items()} | {
        "zero_future": (float(r["future"].eq(0).mean()), len(r))
    }


def report(
    results: list[dict[str, object]], cd: dict[str, object] | None, ceiling: dict[int, dict] | None = None
) -> list[str]:
    lines = [
        "| data | customers | bought by the cut-off | chosen | Spearman chosen / BG/NBD / naive "
        "| top-20% capture chosen / BG/NBD / naive / ideal | scored in |",
        "|---|---:|---:|---|---|---|---:|",
    ]
    for r in results:
        bt = r["backtest"]
        m = bt.get("metrics", {})
        c = bt.get("chosen")
        sp = " / ".join(f"{m[k]['spearman']:.3f}" for k in (c, "bgnbd_gg", "naive_last_12m"))
        cap = " / ".join(f"{m[k]['top20_capture']:.3f}" for k in (c, "bgnbd_gg", "naive_last_12m", "ideal"))
        lines.append(
            f"| {r['label']} | {r['customers']:,} | {bt.get('customers', 0):,} | {c} | {sp} | {cap} "
            f"| {r['seconds']:.0f} s |"
        )
    models = ("bgnbd_gg", "gbm", "ridge", "blend", "naive_last_12m")
    lines += [
        "",
        "Every candidate (Spearman / top-20% capture / predicted-to-actual total):",
        "",
        "| data | " + " | ".join(models) + " |",
        "|---|" + "---|" * len(models),
    ]
    for r in results:
        m = r["backtest"].get("metrics", {})
        cols = [
            f"{m[k]['spearman']:.3f} / {m[k]['top20_capture']:.3f} / {m[k]['total_ratio']:.2f}" if k in m else "-"
            for k in models
        ]
        lines.append(f"| {r['label']} | " + " | ".join(cols) + " |")
    lines += [
        "",
        "Churn out of time (AUC / Brier / calibration error; the method the run used):",
        "",
        "| data | model | baseline P(no purchase in 12 months) | method |",
        "|---|---|---|---|",
    ]
    for r in (r for r in results if "churn" in r):
        oot = r["churn"].get("out_of_time", {})
        fmt = [
            f"{v['auc']:.3f} / {v['brier']:.3f} / {v['calibration_error']:.3f}" if v and v.get("n") else "-"
            for v in (oot.get("model"), oot.get("baseline"))
        ]
        lines.append(f"| {r['label']} | {fmt[0]} | {fmt[1]} | {r['churn'].get('method')} |")
    lines += [
        "",
        "Value x potential cells (share of customers; the smallest cell first) and Spearman(current value, potential):",
        "",
    ]
    for r in (r for r in results if "cells" in r):
        c = r["cells"]
        lines.append(
            f"- {r['label']}: smallest {c.min():.1%}; "
            + ", ".join(f"{v}/{p} {s:.1%}" for (v, p), s in c.items())
            + f"; Spearman {r['potential_vs_value']:.2f}"
        )
    if cd:
        rk = cd["ranking"]
        lines += [
            "",
            f"**CDNOW** (2,357 customers, Fader, Hardie & Lee 2005; ranked at the end of the 39-week calibration, "
            f"scored on the 39-week holdout spend, {cd['zero_holdout']:.0%} of customers spend nothing in it; "
            f"BG/NBD {cd['bgnbd_status']}):",
            "",
            "| model | Spearman | top-20% capture | predicted / actual |",
            "|---|---:|---:|---:|",
        ]
        for k, v in rk.items():
            lines.append(f"| {k} | {v['spearman']:.3f} | {v['top20_capture']:.3f} | {v['total_ratio']:.3f} |")
        c = cd["cells"]
        lines.append(
            f"\nCDNOW value x potential cells as of 1998-06-30: smallest {c.min():.1%}; "
            + ", ".join(f"{v}/{p} {s:.1%}" for (v, p), s in c.items())
        )
    for seed, c in (ceiling or {}).items():
        lines.append(
            f"\nDemo ceiling (seed {seed}, {c['zero_future'][1]:,} simulated buyers, "
            f"{c['zero_future'][0]:.0%} earn nothing in the next year): knowing each customer's latent rate, "
            f"dropout and spend gives Spearman {c['latent_known'][0]:.3f} / capture {c['latent_known'][1]:.3f}; "
            f"knowing also who has already dropped out {c['alive_known'][0]:.3f} / {c['alive_known'][1]:.3f}; "
            f"last year's margin {c['naive_last_12m'][0]:.3f} / {c['naive_last_12m'][1]:.3f}."
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", default=[], help="LABEL=URL, repeatable")
    parser.add_argument("--as-of", required=True, type=date.fromisoformat)
    parser.add_argument("--no-cdnow", action="store_true")
    parser.add_argument("--pareto", type=int, nargs="*", default=[1, 2, 3], help="seeds of the independent generator")
    parser.add_argument("--pareto-customers", type=int, default=5000)
    parser.add_argument("--ceiling", type=int, nargs="*", default=[1, 2], help="seeds of the demo-ceiling simulation")
    parser.add_argument("--note", default="", help="machine and load, written under the tables")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results = []
    for spec in args.db:
        label, url = spec.split("=", 1)
        results.append(warehouse(url, args.as_of, label))
        print(report(results[-1:], None)[2], flush=True)
    for seed in args.pareto:
        results.append(pareto(seed, args.pareto_customers))
        print(report(results[-1:], None)[2], flush=True)
    cd = None if args.no_cdnow else cdnow()
    ceiling = {seed: demo_ceiling(seed, 6000) for seed in args.ceiling}
    lines = [
        START,
        "## Model quality (`bench/bench_model_quality.py`)",
        "",
        "Out-of-time backtest: every model fitted as of as_of - 12 months (the learned ones on the year "
        "before), scored against the margin customers actually earned in the following 12 months. Capture = "
        "share of that margin earned by the model's top 20%; ideal = the actual top 20%. Demo rows: warehouses "
        "built by `cvm run --no-airflow` on `cvm demo-data` exports with seeds the tests do not use. Pareto/NBD "
        "rows: an independent generator in this script (continuous-time dropout, log-normal spend, 25% B2B), "
        "not the demo's process.",
        "",
        *report(results, cd, ceiling),
        "",
        args.note or f"Load average at the end: {os.getloadavg()[0]:.1f}.",
        END,
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_results(text, START, END)


if __name__ == "__main__":
    main()
