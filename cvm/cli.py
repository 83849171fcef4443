"""`cvm`: the command line of the Customer Value Warehouse.

Every command reports errors as one clear line (`cvm: error: ...`); set CVM_DEBUG=1 for the traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from cvm.settings import Settings, load_settings

log = logging.getLogger("cvm")


class CliError(RuntimeError):
    """A user-facing error: printed as one line, exit code 1."""


DEMO_AS_OF = date(2026, 10, 31)  # the demo generator's default end date


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(levelname)-7s %(name)-14s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stdout,
    )
    for name in ("cvm", "ml"):
        logging.getLogger(name).setLevel(level)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def cmd_demo_data(args: argparse.Namespace, settings: Settings) -> int:
    from cvm.demo import generate

    started = time.perf_counter()
    summary = generate(Path(args.out), customers=args.customers, seed=args.seed, end_date=args.end_date)
    counts = getattr(summary, "rows", None) or getattr(summary, "counts", {})
    print(
        f"demo data for {args.customers} customers (seed {args.seed}) in {Path(args.out) / 'landing'} "
        f"({sum(counts.values()) if counts else '?'} rows, {time.perf_counter() - started:.1f}s); "
        f"truth in {Path(args.out) / 'truth'}"
    )
    return 0


def _run_pipeline(settings: Settings, as_of: date | None, landing: Path | None, airflow: bool) -> int:
    from cvm.publish import mart_counts
    from cvm.warehouse import redact, warehouse_url

    if landing is not None and not landing.is_dir():
        raise CliError(f"landing zone {landing} does not exist")
    if airflow:
        from cvm.airflow_run import run_pipeline_dag

        started = datetime.now(UTC)
        result = run_pipeline_dag(settings, as_of, landing)
        if result.state != "success":
            reason = _failure_reason(warehouse_url(settings), started)
            print(
                f"cvm: error: DAG run {result.run_id} {result.state} in task "
                f"{', '.join(result.failed_tasks) or '?'}: {reason}",
                file=sys.stderr,
            )
            return 1
        print(f"DAG cvm_pipeline run {result.run_id}: success in {result.seconds:.1f}s")
    else:
        from cvm.pipeline import run_all

        run_all(as_of.isoformat() if as_of else None, str(landing) if landing else None, settings)
    url = warehouse_url(settings)
    counts = mart_counts(url)
    print(f"published marts in schema `marts` of {redact(url)}:")
    for table, rows in counts.items():
        print(f"  marts.{table:<28} {rows:>9} rows")
    print("query them with `cvm db psql` or point a BI tool at the URL above (read-only role cvm_reader)")
    return 0


def _failure_reason(url: str, since: datetime) -> str:
    """First line of the error the failed stage recorded in the run log (the traceback is in the log above)."""
    from cvm.runlog import last_runs

    runs = [r for r in last_runs(url, limit=1) if r["started_at"] >= since]
    for stage, info in (runs[0]["stages"] if runs else {}).items():
        if info.get("status") == "failed":
            error = str(info.get("error", "")).strip().splitlines()
            return f"stage {stage}: {' '.join(error[:3])}"[:600]
    return "see the log above"


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    landing = Path(args.landing).resolve() if args.landing else settings.landing
    return _run_pipeline(settings, args.as_of or settings.as_of, landing, airflow=not args.no_airflow)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Generate the demo data once (kept under .cvm/demo) and run the pipeline on it."""
    from cvm.demo import generate

    out = settings.home / "demo"
    manifest = out / "truth" / "manifest.json"
    if not manifest.exists() or args.regenerate:
        print(f"generating demo data for {args.customers} customers in {out} ...")
        generate(out, customers=args.customers, seed=args.seed, end_date=DEMO_AS_OF)
    return _run_pipeline(settings.with_(landing=out / "landing"), DEMO_AS_OF, out / "landing", airflow=True)


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from cvm.warehouse import redact, stop_embedded, warehouse_url

    if args.action == "url":
        print(warehouse_url(settings))
    elif args.action == "start":
        print(f"warehouse ready at {redact(warehouse_url(settings))}")
    elif args.action == "stop":
        if settings.embedded:
            print("embedded PostgreSQL stopped" if stop_embedded(settings) else "embedded PostgreSQL was not running")
        else:
            print("CVM_DATABASE_URL points at an external server: nothing to stop")
    elif args.action == "psql":
        url = warehouse_url(settings)
        psql = _psql_binary()
        os.execv(psql, [psql, url, *args.psql_args])
    return 0


def _psql_binary() -> str:
    from cvm.warehouse import pg_bin_dir

    candidate = pg_bin_dir() / "psql"
    if candidate.exists():
        return str(candidate)
    import shutil

    found = shutil.which("psql")
    if not found:
        raise CliError("no psql found")
    return found


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from cvm.pipeline import STAGES
    from cvm.publish import mart_counts
    from cvm.runlog import last_runs
    from cvm.warehouse import redact, warehouse_url

    url = warehouse_url(settings)
    print(f"warehouse: {redact(url)} ({'embedded' if settings.embedded else 'external'})")
    runs = last_runs(url, limit=args.runs)
    if not runs:
        print("no pipeline run yet: `cvm run` or `make demo`")
        return 0
    last = runs[0]
    print(
        f"last run: {last['run_id']}  as of {last['as_of']}  status {last['status']}  "
        f"started {last['started_at']:%Y-%m-%d %H:%M:%S}"
    )
    stages = last["stages"] or {}
    for stage in sorted(stages, key=lambda s: STAGES.index(s) if s in STAGES else len(STAGES)):
        info = stages[stage]
        print(
            f"  {stage:<20} {info.get('status', '?'):<7} {info.get('seconds', 0):>7.1f}s"
            f"  {info.get('peak_rss_mb', 0):>6.0f} MB"
        )
    counts = mart_counts(url)
    published = [r for r in runs if r["status"] == "published"]
    if published:
        print(f"published marts (run {published[0]['run_id']}, as of {published[0]['as_of']}):")
    for table, rows in counts.items():
        print(f"  marts.{table:<28} {rows:>9} rows")
    return 0


def cmd_evaluate_identity(args: argparse.Namespace, settings: Settings) -> int:
    """Pair and cluster scores of the last linkage run against a truth file (the demo's truth/records.csv)."""
    import pandas as pd

    from cvm.warehouse import connect, warehouse_url
    from ml.linkage.evaluate import evaluate

    truth_path = Path(args.truth)
    if truth_path.is_dir():
        truth_path = truth_path / "records.csv"
    if not truth_path.exists():
        raise CliError(f"no truth file at {truth_path}")
    truth = pd.read_csv(truth_path, dtype=str)
    with connect(warehouse_url(settings)) as conn:
        cur = conn.execute("select record_key, party_id, customer_id from ml.identity_records")
        predicted = pd.DataFrame(cur.fetchall(), columns=["record_key", "party_id", "customer_id"])
    print(f"{'level':<10}{'records':>9}{'precision':>11}{'recall':>9}{'f1':>8}{'exact clusters':>16}{'ARI':>8}")
    for level, score in evaluate(truth, predicted).items():
        print(
            f"{level:<10}{score.records:>9}{score.precision:>11.4f}{score.recall:>9.4f}{score.f1:>8.4f}"
            f"{score.exact_clusters:>16.4f}{score.adjusted_rand:>8.4f}"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cvm", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo-data", help="generate messy Dutch demo exports (landing zone + truth)")
    p.add_argument("--out", required=True, help="output directory (landing/ and truth/ are created in it)")
    p.add_argument("--customers", type=int, default=2000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--end-date", type=_date, default=DEMO_AS_OF, help="last day of generated history")
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("run", help="run the cvm_pipeline DAG end to end")
    p.add_argument("--landing", help="landing zone directory (default CVM_LANDING or .cvm/demo/landing)")
    p.add_argument("--as-of", type=_date, help="as-of date YYYY-MM-DD: nothing after it is used")
    p.add_argument("--no-airflow", action="store_true", help="run the stages directly, without Airflow")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="demo data (once) + the whole pipeline through Airflow")
    p.add_argument("--customers", type=int, default=2000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--regenerate", action="store_true", help="regenerate the demo data")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("db", help="the warehouse database: url | start | stop | psql")
    p.add_argument("action", choices=["url", "start", "stop", "psql"])
    p.add_argument("psql_args", nargs=argparse.REMAINDER, help="extra arguments for psql")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("evaluate-identity", help="linkage precision/recall against a truth file")
    p.add_argument("--truth", required=True, help="truth/records.csv of the demo generator (or its folder)")
    p.set_defaults(func=cmd_evaluate_identity)

    p = sub.add_parser("status", help="last runs and the row counts of the published marts")
    p.add_argument("--runs", type=int, default=5)
    p.set_defaults(func=cmd_status)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ValueError as exc:
        print(f"cvm: error: bad setting: {exc}", file=sys.stderr)
        return 2
    _setup_logging(settings.log_level)
    try:
        return args.func(args, settings)
    except KeyboardInterrupt:
        print("cvm: interrupted", file=sys.stderr)
        return 130
    except SystemExit:
        raise
    except Exception as exc:  # one clear line, not a traceback
        if os.environ.get("CVM_DEBUG"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"cvm: error: {first}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
