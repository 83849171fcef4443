"""`python -m cvm.demo --out DIR --customers N --seed S [--end-date YYYY-MM-DD] [--volume X]`."""

from __future__ import annotations

import argparse
import logging
from datetime import date
from pathlib import Path

from cvm.demo import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cvm.demo", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="output directory (landing/ and truth/)")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 10, 31))
    parser.add_argument(
        "--volume", type=float, default=1.0, help="multiply activities and campaign events (benchmarks; default 1)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    summary = generate(args.out, customers=args.customers, seed=args.seed, end_date=args.end_date, volume=args.volume)
    for path, rows in summary.counts.items():
        print(f"{path:24s} {rows:>10d} rows in {len(summary.files[path])} deliveries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
