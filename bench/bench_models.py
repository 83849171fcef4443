"""Benchmark: the models stage alone (`ml.run.run_models`) on a warehouse a `cvm run` already built.

Times the stage and its steps (read, fit, churn, segments, history, write) and the peak RSS, `--repeat`
times, and prints one line per run. To compare two versions of `ml/` on the same warehouse, run it
once per version (PYTHONPATH=<other checkout> puts the other `ml` first); `--fresh-ml-tables` drops
ml.customer_scores and ml.segment_history first, since versions may differ in those tables' columns.

    .venv/bin/python bench/bench_models.py --url postgresql://... --as-of 2026-12-04 --repeat 3
"""

from __future__ import annotations

import argparse
import logging
import resource
import time
from datetime import date

import psycopg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--as-of", required=True, type=date.fromisoformat)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fresh-ml-tables", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from ml import run

    print(f"ml from {run.__file__}")
    for i in range(args.repeat):
        if args.fresh_ml_tables:
            with psycopg.connect(args.url, autocommit=True) as conn:
                conn.execute("drop table if exists ml.customer_scores, ml.segment_history")
        t = time.perf_counter()
        summary = run.run_models(args.url, args.as_of, f"bench-models-{i}")
        wall = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        steps = ", ".join(f"{k} {v:.2f}" for k, v in summary.elapsed.items())
        print(f"run {i + 1}: {wall:.2f} s wall, peak {peak:.0f} MB; {summary.history_rows} history rows; {steps}")


if __name__ == "__main__":
    main()
