"""Model quality on demo data: the out-of-time backtest, churn check and value x potential cells per seed.

    .venv/bin/python bench/bench_models.py --customers 3000 --seeds 11 12

Generates the demo exports, reads the finance invoices with the true customer ids (tests/ml/demo_frames.py),
runs ml.run.score_customers as of the demo end date and prints/writes the figures between the `models`
markers of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "ml"), str(ROOT / "bench")]

from bench_clv import write_results  # noqa: E402
from demo_frames import demo_frames  # noqa: E402

from cvm.demo import generate  # noqa: E402
from ml.run import score_customers  # noqa: E402

AS_OF = date(2026, 10, 31)
START, END = "<!-- models:start -->", "<!-- models:end -->"


def run(customers: int, seed: int) -> list[str]:
    out = ROOT / "bench" / "out" / f"demo_{customers}_{seed}"
    generate(out, customers=customers, seed=seed, end_date=AS_OF)
    cust, inv, contacts = demo_frames(out)
    started = time.perf_counter()
    result = score_customers(cust, inv, contacts, AS_OF)
    seconds = time.perf_counter() - started
    m = result.metrics["models"]
    bt, churn = m["backtest"], m["churn"]
    lines = [
        f"**seed {seed}** ({customers:,} customers, {bt.get('customers', 0):,} bought by the cutoff "
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
    spearman = s[["current_value_12m", "potential_score"]].corr(method="spearman").iloc[0, 1]
    lines.append(f"\nSpearman(current value, potential) {spearman:.2f}; segments {m['segment_counts']}\n")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[11, 12])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    lines = [
        START,
        "## Model quality on demo data (`bench/bench_models.py`)",
        "",
        "Out-of-time backtest: every model fitted as of as_of - 12 months (the GBM learns from the year "
        "before), scored against the margin customers actually earned in the following 12 months. "
        "Capture = share of that margin earned by the model's top 20%; ideal = the actual top 20%.",
        "",
    ]
    for seed in args.seeds:
        lines += run(args.customers, seed)
    lines.append(END)
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_results(text, START, END)


if __name__ == "__main__":
    main()
