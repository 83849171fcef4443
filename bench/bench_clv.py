"""Benchmark: BG/NBD + Gamma-Gamma fits on N synthetic customers, ours versus `lifetimes`, in one run.

The customers are drawn from the BG/NBD and Gamma-Gamma stories with known parameters, in whole days
(as the warehouse records them) over a two-year window, spend in cents. Each fitter runs in its own
subprocess on the same saved arrays, so its wall time and peak RSS are its own: ours from the project
venv, lifetimes from bench/.venv-peers (never in the project lock):

    python3 -m venv bench/.venv-peers && bench/.venv-peers/bin/pip install lifetimes
    .venv/bin/python bench/bench_clv.py --customers 1000000

lifetimes runs twice: as its documentation shows (one row per customer) and with the same
(frequency, recency, T) counts passed as weights that ours builds internally. Writes the section
between the `clv` markers of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "bench" / ".venv-peers" / "bin" / "python"
START, END = "<!-- clv:start -->", "<!-- clv:end -->"
TRUE = {"r": 0.5, "alpha": 8.0, "a": 0.6, "b": 3.0, "p": 6.0, "q": 4.0, "v": 15.0}


def simulate(n: int, seed: int) -> dict[str, np.ndarray]:
    """Vectorised BG/NBD + Gamma-Gamma draws; times in weeks rounded to whole days."""
    rng = np.random.default_rng(seed)
    T_days = rng.integers(1, 731, n)
    T = T_days / 7.0
    lam = rng.gamma(TRUE["r"], 1.0 / TRUE["alpha"], n)
    drop = rng.beta(TRUE["a"], TRUE["b"], n)
    x, t_x, clock = np.zeros(n), np.zeros(n), np.zeros(n)
    active = np.arange(n)
    while active.size:
        clock[active] += rng.exponential(1.0 / lam[active])
        inside = clock[active] <= T[active]
        active = active[inside]
        x[active] += 1
        t_x[active] = clock[active]
        active = active[rng.random(active.size) >= drop[active]]
    t_x = np.where(x > 0, np.floor(t_x * 7) / 7, 0.0)
    nu = rng.gamma(TRUE["q"], 1.0 / TRUE["v"], n)
    m_x = np.where(x > 0, rng.gamma(TRUE["p"] * np.maximum(x, 1), 1.0 / (nu * np.maximum(x, 1))), 0.0)
    return {"x": x, "t_x": t_x, "T": T, "m_x": np.round(m_x, 2)}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(kind: str, path: str) -> dict[str, object]:
    """Runs inside the subprocess: load, fit both models, report time, peak RSS and the estimates."""
    data = np.load(path)
    x, t_x, T, m_x = (data[k] for k in ("x", "t_x", "T", "m_x"))
    repeat = (x > 0) & (m_x > 0)
    out: dict[str, object] = {"kind": kind, "rss_after_load_mb": round(_peak_mb())}
    if kind == "ours":
        sys.path.insert(0, str(ROOT))
        from ml.clv import fit_bgnbd, fit_gamma_gamma

        t0 = time.perf_counter()
        bg = fit_bgnbd(x, t_x, T)
        t1 = time.perf_counter()
        gg = fit_gamma_gamma(x[repeat], m_x[repeat])
        t2 = time.perf_counter()
        out["bgnbd"] = {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b, "ll": bg.log_likelihood}
        out["gamma_gamma"] = {"p": gg.p, "q": gg.q, "v": gg.v, "ll": gg.log_likelihood}
        out["converged"] = bg.converged and gg.converged
    else:
        import pandas as pd
        from lifetimes import BetaGeoFitter, GammaGammaFitter

        t0 = time.perf_counter()
        if kind == "lifetimes_weighted":
            rows = pd.DataFrame({"x": x, "t_x": t_x, "T": T}).groupby(["x", "t_x", "T"]).size().reset_index()
            bg = BetaGeoFitter().fit(rows["x"], rows["t_x"], rows["T"], weights=rows[0].to_numpy())
        else:
            bg = BetaGeoFitter().fit(x, t_x, T)
        t1 = time.perf_counter()
        gg = GammaGammaFitter().fit(pd.Series(x[repeat]), pd.Series(m_x[repeat]))
        t2 = time.perf_counter()
        out["bgnbd"] = {**{k: float(v) for k, v in bg.params_.items()}, "ll": -bg._negative_log_likelihood_ * len(x)}
        out["gamma_gamma"] = {k: float(v) for k, v in gg.params_.items()}
        out["converged"] = True  # lifetimes raises when its optimiser fails
    out.update(bgnbd_s=round(t1 - t0, 2), gamma_gamma_s=round(t2 - t1, 2), peak_rss_mb=round(_peak_mb()))
    return out


def run_worker(python: Path, kind: str, path: Path) -> dict[str, object]:
    started = time.perf_counter()
    # one BLAS/OpenMP thread for every fitter: thread pools spinning on a shared 2-core machine distort timings
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    proc = subprocess.run(
        [str(python), __file__, "--worker", kind, str(path)], capture_output=True, text=True, check=False, env=env
    )
    if proc.returncode != 0:
        return {"kind": kind, "error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = round(time.perf_counter() - started, 2)
    return result


def section(n: int, results: list[dict[str, object]], machine: str, repeat: int, patterns: int) -> str:
    lines = [
        START,
        "## CLV fits (`bench/bench_clv.py`)",
        "",
        f"{n:,} synthetic customers ({repeat:,} repeat buyers; {patterns:,} distinct (frequency, recency, T) "
        "in whole days over two years), drawn with r=0.5, alpha=8, a=0.6, b=3 (weeks) and p=6, q=4, v=15. "
        "Each fitter runs in its own subprocess on the same arrays, one after the other; fit seconds exclude "
        "loading, peak RSS is the subprocess high-water mark (Python, numpy/pandas and the data included); "
        "every subprocess runs with OPENBLAS/OMP_NUM_THREADS=1. "
        "lifetimes 0.11.3 from bench/.venv-peers, per row as documented and with counts as weights.",
        "",
        "| fitter | BG/NBD s | Gamma-Gamma s | total s | peak RSS | r | alpha | a | b | BG/NBD LL | p | q | v |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for res in results:
        if "error" in res:
            lines.append(f"| {res['kind']} | failed: {res['error']} |")
            continue
        bg, gg = res["bgnbd"], res["gamma_gamma"]
        total = res["bgnbd_s"] + res["gamma_gamma_s"]
        ll = f"{bg['ll']:.1f}" if res["kind"] == "ours" else "(rescaled T)"  # lifetimes rescales time internally
        lines.append(
            f"| {res['kind']} | {res['bgnbd_s']:.2f} | {res['gamma_gamma_s']:.2f} | {total:.2f} | "
            f"{res['peak_rss_mb']} MB | {bg['r']:.4f} | {bg['alpha']:.4f} | {bg['a']:.4f} | {bg['b']:.4f} | "
            f"{ll} | {gg['p']:.4f} | {gg['q']:.4f} | {gg['v']:.4f} |"
        )
    ours = next((r for r in results if r["kind"] == "ours" and "error" not in r), None)
    if ours:
        for peer in results:
            if peer["kind"] != "ours" and "error" not in peer:
                ratio = (peer["bgnbd_s"] + peer["gamma_gamma_s"]) / max(ours["bgnbd_s"] + ours["gamma_gamma_s"], 1e-9)
                lines.append("")
                lines.append(f"Ours is **{ratio:.1f}x** faster than {peer['kind']} (fit time, BG/NBD + Gamma-Gamma).")
    load = os.getloadavg()[1]
    lines += ["", f"Machine: {machine}; shared with other jobs while measured (load average {load:.0f}).", END]
    return "\n".join(lines)


def write_results(text: str, start: str = START, end: str = END) -> None:
    """Replace the section between the markers in bench/RESULTS.md (append it the first time)."""
    path = ROOT / "bench" / "RESULTS.md"
    current = path.read_text()
    if start in current and end in current:
        head, rest = current.split(start, 1)
        current = head + text + rest.split(end, 1)[1]
    else:
        current = current.rstrip() + "\n\n" + text + "\n"
    path.write_text(current)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "NPZ"), help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the table, leave RESULTS.md alone")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_pipeline import machine  # the project venv only

    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(exist_ok=True)
    t = time.perf_counter()
    data = simulate(args.customers, args.seed)
    path = out_dir / f"clv_{args.customers}.npz"
    np.savez(path, **data)
    repeat = int((data["x"] > 0).sum())
    patterns = len(np.unique(np.column_stack([data["x"], data["t_x"], data["T"]]), axis=0))
    print(f"simulated {args.customers:,} customers, {repeat:,} repeat buyers ({time.perf_counter() - t:.1f}s)")
    results = [run_worker(Path(sys.executable), "ours", path)]
    print(results[-1])
    if PEERS.exists():
        for kind in ("lifetimes", "lifetimes_weighted"):
            results.append(run_worker(PEERS, kind, path))
            print(results[-1])
    else:
        results.append({"kind": "lifetimes", "error": f"{PEERS} missing (see the docstring)"})
    text = section(args.customers, results, machine(), repeat, patterns)
    print(text)
    if not args.no_write:
        write_results(text)


if __name__ == "__main__":
    main()
