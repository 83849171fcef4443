"""How long parsing `dags/` takes: a DagBag import in a fresh interpreter (what the dag-processor pays per
parse, imports included) and `airflow dags list`, with the dbt stages as three tasks (CVM_DBT_TASKS=stage)
and as one cosmos task per model (CVM_DBT_TASKS=cosmos, rendered from the manifest). Target: under 10 s.

    .venv/bin/python bench/bench_dag_parse.py [--rounds 3]       -> a section for bench/RESULTS.md on stdout
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAGBAG = """
import time, json, sys
from airflow.dag_processing.dagbag import DagBag
w, c = time.perf_counter(), time.process_time()
bag = DagBag(dag_folder=sys.argv[1])
w, c = time.perf_counter() - w, time.process_time() - c
assert not bag.import_errors, bag.import_errors
print(json.dumps({"dagbag": w, "dagbag_cpu": c, "tasks": len(bag.dags["cvm_pipeline"].tasks)}))
"""


def _env(home: Path, mode: str, manifest: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CVM_"))}
    return {
        **keep,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "CVM_DBT_TASKS": mode,
        "CVM_DBT_MANIFEST": str(manifest),
    }


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system) of a child process, and its stdout. On a shared machine the CPU
    seconds are the figure to compare: the wall time also counts waiting for a core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import json

    sys.path.insert(0, str(ROOT))
    from cvm.dbt_tasks import write_manifest

    with tempfile.TemporaryDirectory(prefix="cvm-bench-parse-") as tmp:
        home = Path(tmp)
        started = time.perf_counter()
        manifest = write_manifest(home / "manifest.json")
        parse_seconds = time.perf_counter() - started
        subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"],
            env=_env(home, "stage", manifest),
            capture_output=True,
            check=True,
        )
        rows = []
        for mode in ("stage", "cosmos"):
            env = _env(home, mode, manifest)
            runs, tasks = [], 0
            for _ in range(args.rounds):
                wall, cpu, out = _timed([sys.executable, "-c", DAGBAG, str(ROOT / "dags")], env)
                figures = json.loads(out.strip().splitlines()[-1])
                tasks = figures["tasks"]
                list_wall, list_cpu, _ = _timed([sys.executable, "-m", "airflow", "dags", "list", "-o", "plain"], env)
                runs.append((cpu, wall, figures["dagbag_cpu"], figures["dagbag"], list_cpu, list_wall))
            rows.append((mode, tasks, *(statistics.median(r[i] for r in runs) for i in range(6))))
    load = os.getloadavg()[0]
    print("## DAG parsing (`bench/bench_dag_parse.py`)\n")
    print(
        f"Median of {args.rounds} rounds, each in a fresh interpreter. `dbt parse` for the manifest (once, at image "
        f"build or first run): {parse_seconds:.1f} s.\n"
    )
    print("Seconds as CPU (user + system) / wall; on a shared machine the CPU figure is the one to compare.\n")
    print(
        "| CVM_DBT_TASKS | tasks in cvm_pipeline | new interpreter + imports + DagBag | DagBag(dags/) alone "
        "| `airflow dags list` |"
    )
    print("|---|---:|---:|---:|---:|")
    for mode, tasks, cpu, wall, bag_cpu, bag_wall, list_cpu, list_wall in rows:
        print(
            f"| {mode} | {tasks} | {cpu:.1f} / {wall:.1f} | {bag_cpu:.2f} / {bag_wall:.2f} "
            f"| {list_cpu:.1f} / {list_wall:.1f} |"
        )
    print(
        f"\nMachine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}, "
        f"1-minute load average {load:.1f} at the end (shared with other jobs)."
    )


if __name__ == "__main__":
    main()
