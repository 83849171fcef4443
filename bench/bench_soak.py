"""Soak benchmark: ten successive daily deliveries on top of a 20,000-customer load.

Day 0 loads the demo landing zone (history up to START). Each following day adds, in the landing
zone, what a daily export brings: new invoices and activities (new records), a CRM delta with changed
contacts (new e-mail, later `updated_at`), and a corrected re-delivery of the previous day's invoice file
under the same name (amounts changed: the loader treats it as a correction that replaces its rows). After
each day the whole pipeline runs (`cvm run --no-airflow --as-of <day>` in a subprocess, on a fresh
database of the configured server). Per run: wall time, ingest and raw-gate time, rows loaded, deliveries
checked by the gate, database size and raw-layer size. The point: run time and size should grow with the
day's changes, not with the history.

    .venv/bin/python bench/bench_soak.py [--customers 20000] [--days 10] [--database cvm_soak_20000]

Writes the section between the `soak` markers of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pipeline import machine  # noqa: E402
from cvm.demo import generate  # noqa: E402
from cvm.settings import load_settings  # noqa: E402
from cvm.warehouse import ensure_database, server_url, with_database  # noqa: E402

START = date(2026, 10, 21)
MARKERS = ("<!-- soak:start -->", "<!-- soak:end -->")


def read_rows(directory: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the newest delivery of an entity (the demo writes plain UTF-8 with `,`)."""
    newest = sorted(p for p in directory.glob("*.csv"))[-1]
    with newest.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def daily_delivery(landing: Path, day: date, rng: random.Random, scale: int) -> dict[str, int]:
    """Write one day's exports; returns the number of records per kind."""
    stamp = day.isoformat()
    inv_header, invoices = read_rows(landing / "finance" / "invoices")
    col = {name: i for i, name in enumerate(inv_header)}
    new_invoices = []
    for i, template in enumerate(rng.sample(invoices, min(len(invoices), scale))):
        row = list(template)
        amount = round(rng.uniform(20, 2000), 2)
        row[col["invoice_number"]] = f"D{day:%Y%m%d}{i:05d}"
        row[col["invoice_date"]] = stamp
        row[col["due_date"]] = (day + timedelta(days=14)).isoformat()
        row[col["paid_date"]] = ""
        row[col["amount_excl_vat"]] = f"{amount:.2f}"
        row[col["vat_amount"]] = f"{amount * 0.21:.2f}"
        row[col["cost_amount"]] = f"{amount * 0.6:.2f}"
        row[col["status"]] = "open"
        new_invoices.append(row)
    write_rows(landing / "finance" / "invoices" / f"{stamp}_daily.csv", inv_header, new_invoices)

    corrected = 0
    previous = landing / "finance" / "invoices" / f"{(day - timedelta(days=1)).isoformat()}_daily.csv"
    if previous.exists():  # yesterday's file again, some amounts corrected: a correction under a known name
        header, rows = read_rows_file(previous)
        for row in rng.sample(rows, max(1, len(rows) // 20)):
            row[col["amount_excl_vat"]] = f"{float(row[col['amount_excl_vat']]) * 0.9:.2f}"
            corrected += 1
        write_rows(previous, header, rows)

    act_header, activities = read_rows(landing / "crm" / "activities")
    acol = {name: i for i, name in enumerate(act_header)}
    new_activities = []
    for i, template in enumerate(rng.sample(activities, min(len(activities), scale))):
        row = list(template)
        row[acol["activity_id"]] = f"ACT-D{day:%Y%m%d}{i:05d}"
        row[acol["occurred_at"]] = f"{stamp}T{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}:00"
        new_activities.append(row)
    write_rows(landing / "crm" / "activities" / f"{stamp}_daily.csv", act_header, new_activities)

    con_header, contacts = read_rows_file(sorted((landing / "crm" / "contacts").glob("*_full.csv"))[-1])
    ccol = {name: i for i, name in enumerate(con_header)}
    changed = []
    for template in rng.sample(contacts, min(len(contacts), scale // 2)):
        row = list(template)
        row[ccol["email"]] = f"nieuw.{row[ccol['contact_id']].lower()}@example.nl"
        row[ccol["updated_at"]] = f"{stamp}T09:00:00"
        changed.append(row)
    write_rows(landing / "crm" / "contacts" / f"{stamp}_delta.csv", con_header, changed)
    return {"new": len(new_invoices) + len(new_activities), "changed": len(changed), "corrected": corrected}


def read_rows_file(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


SCHEMA_BYTES = (
    "select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c"
    " join pg_namespace n on n.oid = c.relnamespace where n.nspname = %s and c.relkind = 'r'"
)


def run_pipeline(url: str, landing: Path, as_of: date, home: Path) -> dict:
    env = {**os.environ, "CVM_DATABASE_URL": url, "CVM_HOME": str(home)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure imports as a deployment sees them (bytecode cached)
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cvm.cli",
            "run",
            "--no-airflow",
            "--landing",
            str(landing),
            "--as-of",
            as_of.isoformat(),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-2000:])
        raise SystemExit(f"pipeline failed as of {as_of}")
    with psycopg.connect(url) as conn:
        (stages,) = conn.execute("select stages from ops.pipeline_runs order by started_at desc limit 1").fetchone()
        db_bytes = conn.execute("select pg_database_size(current_database())").fetchone()[0]
        raw_bytes, ml_bytes = (conn.execute(SCHEMA_BYTES, (schema,)).fetchone()[0] for schema in ("raw", "ml"))
        replaced = conn.execute("select count(*) from raw.load_audit where status = 'replaced'").fetchone()[0]
        history_rows = conn.execute("select count(*) from ml.segment_history").fetchone()[0]
        pair_rows = conn.execute("select count(*) from ml.identity_pairs").fetchone()[0]
    return {
        "wall": wall,
        "stages": stages,
        "db_mb": db_bytes / 2**20,
        "raw_mb": raw_bytes / 2**20,
        "replaced": replaced,
        "ml_mb": ml_bytes / 2**20,
        "load": os.getloadavg()[0],
        "history_rows": history_rows,
        "pair_rows": pair_rows,
    }


def render(customers: int, pg: str, runs: list[dict]) -> str:
    loads = [r["load"] for r in runs if r.get("load") is not None]
    load = f"{min(loads):.1f}-{max(loads):.1f}" if loads else "not recorded"
    lines = [
        MARKERS[0],
        "## Soak: ten daily deliveries (`bench/bench_soak.py`)",
        "",
        f"Machine: {machine()}; PostgreSQL {pg}. Measured {date.today().isoformat()} while other jobs "
        f"shared the machine (1-minute load average {load} on 2 cores, sampled after each run: absolute times "
        "are several times a quiet machine's; compare the runs with each other). "
        f"{customers:,} demo customers with history up to {START}, "
        "then one run per day; each day delivers new invoices and activities, a CRM delta of changed "
        "contacts and a corrected copy of the previous day's invoice file (same name). Every run is the "
        "whole pipeline (`cvm run --no-airflow`).",
        "",
        "| run | as of | new / changed records / corrected | rows loaded | deliveries gated | ingest s "
        "| raw gate s | pipeline s | database MB | raw layer MB | ml MB | segment_history rows | identity_pairs rows |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(runs):
        st = r["stages"]
        ing, gate = st.get("ingest", {}), st.get("raw_quality_gate", {})
        changes = "initial load" if i == 0 else f"{r['new']} / {r['changed']} / {r['corrected']}"
        lines.append(
            f"| {i} | {r['as_of']} | {changes} | {ing.get('rows', 0):,} | {gate.get('checked_loads', 0)} "
            f"| {ing.get('seconds', 0):.1f} | {gate.get('seconds', 0):.1f} | {r['wall']:.1f} "
            f"| {r['db_mb']:.0f} | {r['raw_mb']:.0f} | {r.get('ml_mb', 0):.0f} | {r.get('history_rows', 0):,} "
            f"| {r.get('pair_rows', 0):,} |"
        )
    lines.append(MARKERS[1])
    return "\n".join(lines)


def report_from_log(log: Path, customers: int, landing: Path, database: str | None = None) -> str:
    """The table of an interrupted soak: wall time and sizes from its log lines, stages from the run log."""
    import re

    url = with_database(server_url(load_settings()), database or f"cvm_soak_{customers}")
    pattern = re.compile(r"run (\d+) as of (\S+): ([\d.]+) s, database (\d+) MB, raw (\d+) MB")
    with psycopg.connect(url) as conn:
        stages = dict(conn.execute("select as_of::text, stages from ops.pipeline_runs where status = 'published'"))
        pg = conn.execute("show server_version").fetchone()[0]
    runs = []
    for match in pattern.finditer(log.read_text()):
        index, day = int(match[1]), match[2]
        new = sum(len(read_rows_file(p)[1]) for p in landing.glob(f"*/*/{day}_daily.csv")) if index else 0
        changed = len(read_rows_file(landing / "crm" / "contacts" / f"{day}_delta.csv")[1]) if index else 0
        corrected = "1 file" if index > 1 else 0
        runs.append(
            {
                "new": new,
                "changed": changed,
                "corrected": corrected,
                "as_of": day,
                "wall": float(match[3]),
                "db_mb": float(match[4]),
                "raw_mb": float(match[5]),
                "stages": stages.get(day, {}),
            }
        )
    return render(customers, pg, runs)


def write_results(section: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if MARKERS[0] in text and MARKERS[1] in text:
        head, rest = text.split(MARKERS[0], 1)
        text = head + section + rest.split(MARKERS[1], 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database", help="database to (re)create on the server (default cvm_soak_<customers>)")
    parser.add_argument("--report", metavar="LOG", help="only render RESULTS.md from an interrupted run's log")
    args = parser.parse_args()
    work = ROOT / ".cvm" / "bench" / f"soak_{args.customers}"
    landing = work / "demo" / "landing"
    if args.report:
        section = report_from_log(Path(args.report), args.customers, landing, args.database)
        write_results(section)
        print(section)
        return
    print(f"generating {args.customers:,} demo customers up to {START} ...", flush=True)
    generate(work / "demo", customers=args.customers, seed=args.seed, end_date=START)
    server = server_url(load_settings())
    name = args.database or f"cvm_soak_{args.customers}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        pg = conn.execute("show server_version").fetchone()[0]
    url = ensure_database(with_database(server, name))
    rng = random.Random(args.seed)
    scale = max(10, args.customers // 100)  # a day's new records: about 1% of the customers
    runs = []
    for day_index in range(args.days + 1):
        day = START + timedelta(days=day_index)
        changes = {"new": 0, "changed": 0, "corrected": 0}
        if day_index:
            changes = daily_delivery(landing, day, rng, scale)
        result = run_pipeline(url, landing, day, work / "home")
        runs.append({**changes, **result, "as_of": day.isoformat()})
        print(
            f"  run {day_index} as of {day}: {result['wall']:.1f} s, database {result['db_mb']:.0f} MB, "
            f"raw {result['raw_mb']:.0f} MB, ml {result['ml_mb']:.0f} MB, "
            f"segment_history {result['history_rows']} rows, identity_pairs {result['pair_rows']} rows",
            flush=True,
        )
    section = render(args.customers, pg, runs)
    write_results(section)
    print(section)


if __name__ == "__main__":
    main()
