"""Model quality on demo data: the out-of-time backtest, churn check and value x potential cells per seed.

    .venv/bin/python bench/bench_model_quality.py --url postgresql://... --as-of 2026-10-31 --label "seed 11"

Reads intermediate.int_customer_features of a warehouse that `cvm run` built (e.g. on `cvm demo` exports),
runs ml.run.score_customers as of the run's as-of date and prints/writes the figures between the `models`
markers of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_clv import write_results  # noqa: E402

from ml import io  # noqa: E402
from ml.run import score_customers  # noqa: E402

START, END = "<!-- models:start -->", "<!-- models:end -->"


def run(url: str, as_of: date, label: str) -> list[str]:
    with psycopg.connect(url) as conn:
        features = io.read_features(conn)
    customers = int(features["cut_off_kind"].eq("as_of").sum())
    started = time.perf_counter()
    result = score_customers(features, as_of)
    seconds = time.perf_counter() - started
    m = result.metrics["models"]
    bt, churn = m["backtest"], m["churn"]
    lines = [
        f"**{label}** ({customers:,} customers, {bt.get('customers', 0):,} bought by the cutoff "
        f"{bt.get('cutoff')}; scored in {seconds:.0f} s): chosen **{bt.get('chosen')}**",
        "",
        "| model | Spearman | top-20% capture | predicted / actual |",
        "|---|---:|---:|---:|",
    ]
    for name, v in bt.get("metrics", {}).items():
        lines.append(f"| {name} | {v['spearman']:.3f} | {v['top20_capture']:.3f} | {v['total_ratio']:.3f} |")
    oot = churn.get("out_of_time", {})
    for side in ("model", "baseline"):
        v = oot.get(side)
        if v and v.get("n"):
            lines.append(
                f"\nchurn {side}: AUC {v['auc']:.3f}, Brier {v['brier']:.3f}, "
                f"calibration error {v['calibration_error']:.3f} (n {v['n']})"
            )
    lines.append(f"\nchurn method: {churn.get('method')}")
    s = result.scores
    cells = s.groupby(["value_class", "potential_class"]).size() / len(s)
    lines.append(
        "\nvalue x potential cells (share of customers): "
        + ", ".join(f"{v}/{p} {share:.1%}" for (v, p), share in cells.items())
    )
    value = features[features["cut_off_kind"].eq("as_of")].set_index("customer_id")["current_value_12m"]
    spearman = s.set_index("customer_id")["potential_score"].corr(value.reindex(s["customer_id"]), method="spearman")
    lines.append(f"\nSpearman(current value, potential) {spearman:.2f}; segments {m['segment_counts']}\n")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--as-of", required=True, type=date.fromisoformat)
    parser.add_argument("--label", default="demo")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    lines = [
        START,
        "## Model quality on demo data (`bench/bench_model_quality.py`)",
        "",
        "Out-of-time backtest: every model fitted as of as_of - 12 months (the GBM learns from the year "
        "before), scored against the margin customers actually earned in the following 12 months. "
        "Capture = share of that margin earned by the model's top 20%; ideal = the actual top 20%.",
        "",
    ]
    lines += run(args.url, args.as_of, args.label)
    lines.append(END)
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_results(text, START, END)


if __name__ == "__main__":
    main()
