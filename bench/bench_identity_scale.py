"""Identity stage at scale: `ml.linkage.resolve` on int_party_records of a large demo run, per step
time, candidate pairs per blocking pass and peak memory.

    cvm demo-data --out /tmp/d100 --customers 100000 --seed 43
    CVM_HOME=/tmp/h100 cvm run --landing /tmp/d100/landing --as-of 2026-10-31 --no-airflow   # fills the warehouse
    .venv/bin/python bench/bench_identity_scale.py --url "$(CVM_HOME=/tmp/h100 cvm db url)" --truth /tmp/d100/truth

or `--frame file.pkl` for int_party_records saved with pandas.to_pickle. Prints a markdown table; the
figures go to bench/RESULTS.md with the machine and its load average.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ml.linkage import resolve  # noqa: E402
from ml.linkage.evaluate import evaluate  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(url: str | None, frame: str | None) -> pd.DataFrame:
    if frame:
        return pd.read_pickle(frame)
    from cvm.warehouse import connect
    from ml import io

    with connect(url) as conn:
        return io.read_table(conn, "intermediate.int_party_records")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--frame")
    parser.add_argument("--truth", help="the demo's truth directory, for pairwise F1 beside the times")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    records = load(args.url, args.frame)
    base = peak_rss_mb()
    t = time.perf_counter()
    result = resolve(records)
    total = time.perf_counter() - t
    s = result.summary
    per_record = s.candidate_pairs / max(s.records, 1)
    print(f"records {s.records:,}, candidate pairs {s.candidate_pairs:,} ({per_record:.1f} per record)")
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}, cpus {os.cpu_count()}")
    print("| step | seconds |\n|---|---:|")
    for step, seconds in s.elapsed.items():
        print(f"| {step} | {seconds:.1f} |")
    print(f"| **resolve total** | **{total:.1f}** |")
    print(f"peak RSS {peak_rss_mb():,.0f} MB (after loading the records: {base:,.0f} MB)")
    print("pairs by pass:", ", ".join(f"{k} {v:,}" for k, v in s.pairs_by_pass.items()))
    if args.truth:
        truth = pd.read_csv(Path(args.truth) / "records.csv", dtype=str)
        for level, sc in evaluate(truth, result.records).items():
            print(f"{level}: P {sc.precision:.4f} R {sc.recall:.4f} F1 {sc.f1:.4f} B-cubed F1 {sc.bcubed_f1:.4f}")


if __name__ == "__main__":
    main()
