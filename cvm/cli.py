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
    if settings.embedded and not (settings.pgdata / "postmaster.pid").exists():
        print(f"starting the embedded PostgreSQL in {settings.pgdata} ...", flush=True)
    if airflow:
        from cvm.airflow_run import run_pipeline_dag
        from cvm.ingest.loader import find_deliveries

        find_deliveries(landing or settings.landing)  # an empty landing zone fails at once, before Airflow loads
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
    _print_evaluations(url)
    return 0


def _print_evaluations(url: str) -> None:
    from cvm.evaluation import last_evaluations

    for row in last_evaluations(url):
        print(
            f"evaluated {row['month']:%Y-%m} with run {row['model_run_id']} ({row['status']}): "
            f"report {row['report_path'] or '(none yet: cvm report --month ' + format(row['month'], '%Y-%m') + ')'}"
        )


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
    print(
        f"{'level':<10}{'records':>9}{'precision':>11}{'recall':>9}{'f1':>8}{'exact clusters':>16}{'ARI':>8}"
        f"{'B3 precision':>14}{'B3 recall':>11}{'B3 f1':>8}"
    )
    for level, score in evaluate(truth, predicted).items():
        print(
            f"{level:<10}{score.records:>9}{score.precision:>11.4f}{score.recall:>9.4f}{score.f1:>8.4f}"
            f"{score.exact_clusters:>16.4f}{score.adjusted_rand:>8.4f}"
            f"{score.bcubed_precision:>14.4f}{score.bcubed_recall:>11.4f}{score.bcubed_f1:>8.4f}"
        )
    return 0


def cmd_identity_decide(args: argparse.Namespace, settings: Settings) -> int:
    """Record a steward decision (must-link / cannot-link) that every later linkage run respects."""
    from cvm.warehouse import connect, warehouse_url
    from ml.linkage.decisions import DecisionError, record

    try:
        with connect(warehouse_url(settings)) as conn:
            record(conn, args.left, args.right, args.decision, args.by, args.reason)
    except DecisionError as exc:
        raise CliError(str(exc)) from exc
    print(f"{args.decision}: {args.left} / {args.right} (applies from the next run)")
    return 0


def cmd_delivery(args: argparse.Namespace, settings: Settings) -> int:
    """`cvm delivery release ID --reason ...`: let a delivery blocked by the raw gate through, on record."""
    from cvm.quality.deliveries import release
    from cvm.warehouse import warehouse_url

    path = release(warehouse_url(settings), args.load_id, args.reason)
    print(f"load {args.load_id} ({path}) released: {args.reason.strip()} (recorded in raw.load_audit)")
    return 0


def cmd_export_plan(args: argparse.Namespace, settings: Settings) -> int:
    from cvm.strategy.export import export_plan
    from cvm.warehouse import warehouse_url

    summary = export_plan(warehouse_url(settings), args.start, args.end, Path(args.out))
    print(
        f"exported {summary.moments} planned contact moments {args.start} .. {args.end} to {args.out}"
        f" ({summary.refused_no_consent} left out: consent no longer given)"
    )
    for name, rows in sorted(summary.files.items()):
        print(f"  {name:<40} {rows:>7} rows")
    return 0


def _month(value: str) -> date:
    from cvm.evaluation import parse_month

    try:
        return parse_month(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    """Evaluate a closed month through the real `cvm_monthly_evaluation` DAG (dag.test), like `cvm run`."""
    from cvm.airflow_run import run_evaluation_dag
    from cvm.evaluation import EvaluationError, month_rows, resolve
    from cvm.warehouse import warehouse_url

    try:  # fail fast here instead of letting the DAG's sensor wait for a run that is not coming
        target = resolve(settings, args.month)
    except EvaluationError as exc:
        raise CliError(str(exc)) from exc
    result = run_evaluation_dag(settings, args.month, args.lang)
    if result.state != "success":
        print(
            f"cvm: error: DAG run {result.run_id} {result.state} in task {', '.join(result.failed_tasks) or '?'}"
            " (see the log above)",
            file=sys.stderr,
        )
        return 1
    rows = month_rows(warehouse_url(settings), args.month)
    print(
        f"DAG cvm_monthly_evaluation run {result.run_id}: {args.month:%Y-%m} evaluated with model run "
        f"{target.model_run_id} (as of {target.as_of}) in {result.seconds:.1f}s: "
        + ", ".join(f"{k} {v}" for k, v in rows.items())
    )
    from cvm.report import default_report_path

    print(f"report: {default_report_path(settings, args.month)}")
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from cvm.report import ReportError, write_monthly_report

    try:
        path = write_monthly_report(settings, args.month, Path(args.out) if args.out else None, args.lang)
    except ReportError as exc:
        raise CliError(str(exc)) from exc
    print(f"report for {args.month:%Y-%m} written to {path}")
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

    p = sub.add_parser("delivery", help="deliveries blocked by the raw gate: release ID --reason TEXT")
    p.add_argument("action", choices=["release"])
    p.add_argument("load_id", type=int, help="the load id of the delivery (raw.load_audit.load_id)")
    p.add_argument("--reason", required=True, help="why it may be published anyway (recorded)")
    p.set_defaults(func=cmd_delivery)

    p = sub.add_parser("identity", help="steward decisions on identity resolution")
    identity = p.add_subparsers(dest="identity_command", required=True)
    d = identity.add_parser("decide", help="must-link or cannot-link two records in every later run")
    d.add_argument("left", help="record key, e.g. crm:contacts:CON-000123")
    d.add_argument("right", help="record key of the other record")
    d.add_argument("decision", choices=["must-link", "cannot-link"])
    d.add_argument("--by", help="who decided (kept with the decision)")
    d.add_argument("--reason", help="why (kept with the decision)")
    d.set_defaults(func=cmd_identity_decide)

    p = sub.add_parser("export-plan", help="call lists, mailing list, e-mail audience and calendars of the plan")
    p.add_argument("--from", dest="start", type=_date, required=True, help="first planned date YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date, required=True, help="last planned date YYYY-MM-DD")
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=cmd_export_plan)

    p = sub.add_parser("evaluate", help="evaluate a closed month through the cvm_monthly_evaluation DAG")
    p.add_argument("--month", type=_month, required=True, help="the month YYYY-MM")
    p.add_argument("--lang", choices=["en", "nl"], help="report language (default CVM_REPORT_LANGUAGE or en)")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("report", help="write the self-contained HTML report of an evaluated month")
    p.add_argument("--month", type=_month, required=True, help="the month YYYY-MM")
    p.add_argument("--out", help="the HTML file (default .cvm/reports/cvm-evaluation-YYYY-MM.html)")
    p.add_argument("--lang", choices=["en", "nl"], help="labels in English or Dutch (default CVM_REPORT_LANGUAGE)")
    p.set_defaults(func=cmd_report)

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
