"""Benchmark: the whole pipeline through the real Airflow DAG on N demo customers.

For each N: generate the demo exports, create a fresh warehouse database, run `cvm run` in a subprocess
(the same path `make demo` takes) and read the per-stage wall time and peak RSS from `ops.pipeline_runs`.
Writes the section between the `pipeline` markers of bench/RESULTS.md.

    .venv/bin/python bench/bench_pipeline.py --customers 2000 20000
    .venv/bin/python bench/bench_pipeline.py --customers 100000 --volume 4.6   # ~5.1M raw rows, as measured outside

`--volume` (default 1: the demo data as is) multiplies the CRM activities and campaign events per customer.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cvm.demo import generate  # noqa: E402
from cvm.pipeline import STAGES  # noqa: E402
from cvm.settings import load_settings  # noqa: E402
from cvm.warehouse import ensure_database, server_url, with_database  # noqa: E402

AS_OF = date(2026, 10, 31)
START, END = "<!-- pipeline:start -->", "<!-- pipeline:end -->"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or cpu
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def run_one(customers: int, seed: int, volume: float = 1.0) -> dict:
    settings = load_settings()
    work = ROOT / ".cvm" / "bench" / (str(customers) if volume == 1 else f"{customers}x{volume:g}")
    started = time.perf_counter()
    summary = generate(work / "demo", customers=customers, seed=seed, end_date=AS_OF, volume=volume)
    gen_seconds = time.perf_counter() - started
    server = server_url(settings)
    name = f"cvm_bench_{customers}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
        pg_version = conn.execute("show server_version").fetchone()[0]
    url = ensure_database(with_database(server, name))
    load_before = os.getloadavg()[0]
    env = {**os.environ, "CVM_DATABASE_URL": url, "CVM_HOME": str(ROOT / ".cvm" / "bench")}
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cvm.cli",
            "run",
            "--landing",
            str(work / "demo" / "landing"),
            "--as-of",
            AS_OF.isoformat(),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    load_after = os.getloadavg()[0]
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"pipeline failed for {customers} customers")
    with psycopg.connect(url) as conn:
        stages, mart_rows = conn.execute(
            "select stages, mart_rows from ops.pipeline_runs where status = 'published' "
            "order by started_at desc limit 1"
        ).fetchone()
    rows = getattr(summary, "rows", None) or getattr(summary, "counts", {}) or {}
    return {
        "customers": customers,
        "volume": volume,
        "generate_s": gen_seconds,
        "wall_s": wall,
        "stages": stages,
        "mart_rows": mart_rows,
        "landing_rows": sum(rows.values()) if rows else None,
        "peak_mb": max(float(st.get("peak_rss_mb", 0)) for st in stages.values()),
        "pg_version": pg_version,
        "load": (load_before, load_after),
    }


def _label(r: dict) -> str:
    volume = r.get("volume", 1)
    return f"{r['customers']:,} customers" + ("" if volume == 1 else f" x{volume:g} volume")


def render(results: list[dict]) -> str:
    lines = [
        START,
        "## Pipeline end to end (`bench/bench_pipeline.py`)",
        "",
        f"Machine: {machine()}; PostgreSQL {results[0]['pg_version']} (embedded pgserver, unix socket) "
        f"unless CVM_DATABASE_URL was set. Measured {date.today().isoformat()}.",
        "Wall time is `cvm run` as a subprocess: Airflow start-up, `dag.test()` and every task; peak RSS is "
        "the pipeline process (the PostgreSQL server's own memory is not included).",
        "",
    ]
    stage_names = [s for s in STAGES if s in results[0]["stages"]]
    header = "| stage | " + " | ".join(f"{_label(r)}: s / peak MB" for r in results) + " |"
    lines += [header, "|---|" + "---|" * len(results)]
    for stage in stage_names:
        cells = []
        for r in results:
            st = r["stages"].get(stage, {})
            cells.append(f"{st.get('seconds', 0):.1f} s / {st.get('peak_rss_mb', 0):.0f} MB")
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    lines.append(
        "| **end to end (wall)** | "
        + " | ".join(f"**{r['wall_s']:.1f} s** / {r['peak_mb']:.0f} MB" for r in results)
        + " |"
    )
    lines.append("| demo data generation | " + " | ".join(f"{r['generate_s']:.1f} s" for r in results) + " |")
    lines.append(
        "| 1-minute load average at start / end | "
        + " | ".join(f"{r['load'][0]:.1f} / {r['load'][1]:.1f}" for r in results)
        + " |"
    )
    lines.append("")
    lines.append(
        "Rows: "
        + "; ".join(
            f"{r['customers']:,} customers -> {r['landing_rows'] or '?'} landing rows, "
            f"{(r['mart_rows'] or {}).get('customer_360', '?')} customer_360 rows, "
            f"{(r['mart_rows'] or {}).get('contact_plan', '?')} contact_plan rows"
            for r in results
        )
    )
    lines.append(END)
    return "\n".join(lines)


def write_results(section: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--customers", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--volume", type=float, default=1.0, help="activities and campaign events x this (default 1)")
    args = parser.parse_args()
    results = []
    for n in args.customers:
        print(f"running the pipeline on {n:,} customers ...", flush=True)
        results.append(run_one(n, args.seed, args.volume))
        print(f"  {results[-1]['wall_s']:.1f} s end to end", flush=True)
    write_results(render(results))
    print(render(results))


if __name__ == "__main__":
    main()
