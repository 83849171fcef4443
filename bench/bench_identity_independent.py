"""Identity resolution on a landing zone from a generator the project does not use, beside Splink.

    .venv/bin/python bench/bench_identity_independent.py --customers 2000 --seeds 1
    .venv/bin/python bench/bench_identity_independent.py --customers 20000 --seeds 11 12 --markdown out.md

Per (seed, size): `bench/independent_landing.py` writes a landing zone and its truth (it never imports
cvm.demo); `cvm run --no-airflow --as-of 2026-09-30` runs the whole pipeline on its own database
(`--pg postgresql://postgres@127.0.0.1:5432` gives each run a fresh database cvm_indep_s<seed>_n<size>,
dropped first if it exists; without `--pg` each run gets the embedded PostgreSQL under its own CVM_HOME);
`cvm evaluate-identity --truth` prints our scores; Splink 5 runs on the same intermediate.int_party_records
in the same run (bench/independent_splink.py in the bench-only venv bench/.venv-peers, never in the project
lock; create it with `python3 -m venv bench/.venv-peers && bench/.venv-peers/bin/pip install splink pandas`).
Splink's persons are mapped to customers the way DESIGN.md defines a customer (a CRM account link, else an
organisation name or a non-public e-mail domain that names exactly one organisation cluster).

Prints a markdown table (party and customer pairwise P/R/F1, B-cubed F1, seconds) and, for our engine, the
missed pairs and false merges per class of issue 6 (the generator knows the class of every record) with
example pairs. Raw figures go to `<workdir>/results.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import independent_landing  # noqa: E402

from ml.linkage.evaluate import score_clusters  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CVM = ROOT / ".venv" / "bin" / "cvm"
PEERS = Path(__file__).resolve().parent / ".venv-peers" / "bin" / "python"
SPLINK = Path(__file__).resolve().parent / "independent_splink.py"
AS_OF = independent_landing.END.isoformat()

# Mail providers whose domain says nothing about an employer (for Splink's customer mapping only).
_PUBLIC = (
    "gmail.com hotmail.com hotmail.nl outlook.com outlook.nl live.nl live.com msn.com ziggo.nl kpnmail.nl "
    "kpnplanet.nl planet.nl xs4all.nl home.nl hetnet.nl icloud.com me.com upcmail.nl chello.nl casema.nl "
    "quicknet.nl telfort.nl tele2.nl online.nl zeelandnet.nl yahoo.com yahoo.nl protonmail.com proton.me "
    "gmx.net gmx.com"
)
PUBLIC_DOMAINS = frozenset(_PUBLIC.split())
DETAIL = ["display_name", "email", "phone", "postcode", "house_number", "organisation_name", "birth_date"]


# ---------------------------------------------------------------- running


def run_pipeline(landing: Path, env: dict[str, str], log: Path) -> dict[str, float]:
    """`cvm run --no-airflow` (the same stages as the DAG); total and identity-stage seconds from its log."""
    t = time.perf_counter()
    with log.open("w") as f:
        rc = subprocess.run(
            [str(CVM), "run", "--no-airflow", "--landing", str(landing), "--as-of", AS_OF],
            env=env,
            stdout=f,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    total = time.perf_counter() - t
    text = log.read_text()
    m = re.search(r"stage identity\s+done in\s+([\d.]+)s", text)
    if rc != 0 and not m:
        raise SystemExit(f"cvm run failed before identity (rc {rc}); see {log}")
    return {"run_seconds": round(total, 1), "identity_seconds": float(m.group(1)) if m else float("nan"), "rc": rc}


def read_frames(env: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    from cvm.warehouse import connect

    with connect(env["CVM_DATABASE_URL"] if "CVM_DATABASE_URL" in env else _embedded_url(env)) as conn:
        cur = conn.execute("select * from intermediate.int_party_records")
        records = pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])
        cur = conn.execute("select record_key, party_id, customer_id from ml.identity_records")
        ours = pd.DataFrame(cur.fetchall(), columns=["record_key", "party_id", "customer_id"])
    return records, ours


def _embedded_url(env: dict[str, str]) -> str:
    out = subprocess.run([str(CVM), "db", "url"], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def run_splink(records: pd.DataFrame, workdir: Path) -> tuple[dict[str, pd.DataFrame], dict[str, object]]:
    """Splink's clusters per match-probability threshold (its standard 0.9 first), with customers mapped."""
    if not PEERS.exists():
        return {}, {"error": "bench/.venv-peers missing (see the docstring)"}
    path = workdir / "int_party_records.csv"
    records.to_csv(path, index=False)
    out = subprocess.run([str(PEERS), str(SPLINK), str(path)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {}, {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    res = json.loads(out.stdout.strip().splitlines()[-1])
    preds, seconds = {}, {}
    for variant, v in {"standard": res, **res.get("variants", {})}.items():
        threshold = str(v.get("threshold", 0.9))
        for thr, cluster in {threshold: v["cluster"], **v.get("clusters_at", {})}.items():
            clusters = pd.DataFrame({"record_key": v["record_key"], "party_id": "S" + pd.Series(cluster)})
            clusters["customer_id"] = splink_customers(records, clusters)
            preds[f"{variant} at {thr}"] = clusters
            seconds[f"{variant} at {thr}"] = v["seconds"]
    return preds, {"seconds": seconds, "version": res["version"], "standard": f"standard at {res['threshold']}"}


def splink_customers(records: pd.DataFrame, clusters: pd.DataFrame) -> pd.Series:
    """Customer of each Splink cluster: persons join the organisation cluster their CRM account link, their
    company name or their work e-mail domain names (the latter two only when exactly one organisation
    cluster carries it); everything else is its own customer."""
    r = records.set_index("record_key").join(clusters.set_index("record_key")["party_id"].rename("cluster"))
    kind = r.groupby("cluster")["party_kind"].agg(lambda s: s.mode().iloc[0])
    r["cluster_kind"] = r["cluster"].map(kind)
    orgs = r[r["cluster_kind"].eq("organisation")]
    domain = r["email"].str.lower().str.split("@").str[-1]
    domain = domain.where(~domain.isin(PUBLIC_DOMAINS))
    org_name = orgs.groupby(orgs["organisation_name"].str.lower())["cluster"].agg(lambda s: s.unique())
    org_name = org_name[org_name.map(len).eq(1)].map(lambda a: a[0])
    org_domain = orgs.assign(d=domain.loc[orgs.index]).dropna(subset=["d"]).groupby("d")["cluster"].unique()
    org_domain = org_domain[org_domain.map(len).eq(1)].map(lambda a: a[0])
    persons = r[r["cluster_kind"].eq("person")]
    link = persons["organisation_record_key"].map(r["cluster"])
    link = link.fillna(persons["organisation_name"].str.lower().map(org_name))
    link = link.fillna(domain.loc[persons.index].map(org_domain))
    votes = pd.DataFrame({"cluster": persons["cluster"], "org": link}).dropna()
    chosen = votes.groupby("cluster")["org"].agg(lambda s: s.mode().iloc[0])
    customer = r["cluster"].map(chosen).fillna(r["cluster"])
    return pd.Series(customer.reindex(clusters["record_key"]).to_numpy(), index=clusters.index)


# ---------------------------------------------------------------- scores and classes


def scores(truth: pd.DataFrame, pred: pd.DataFrame) -> dict[str, dict[str, float]]:
    keys = truth["source_system"] + ":" + truth["source_entity"] + ":" + truth["source_record_id"]
    p = pred.set_index("record_key")
    out = {}
    for level in ("party", "customer"):
        s = score_clusters(pd.Series(truth[f"{level}_id"].to_numpy(), index=keys), p[f"{level}_id"])
        out[level] = {
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
            "f1": round(s.f1, 4),
            "bcubed_f1": round(s.bcubed_f1, 4),
            "true_clusters": s.true_clusters,
            "predicted_clusters": s.predicted_clusters,
        }
    return out


def _tags(q: pd.Series, *names: str) -> pd.Series:
    pattern = "|".join(rf"(?:^|;){n}(?:;|$)" for n in names)
    return q.fillna("").str.contains(pattern, regex=True)


def missed_class(a: pd.DataFrame, b: pd.DataFrame) -> pd.Series:
    """Class of a true pair left apart, first that applies: 2 organisation, 3 mover with two addresses,
    4 typo or sparse name, 1 person at an organisation, 5 household member, other."""
    sparse = ("typo", "sparse", "initial", "nickname", "no_first_name", "no_last_name", "no_name")
    out = pd.Series("other", index=a.index)
    out[_tags(a["quirks"], "household", "family_mailbox") | _tags(b["quirks"], "household", "family_mailbox")] = (
        "5 household member"
    )
    out[a["org_party_id"].ne("") & a["party_kind"].eq("person")] = "1 people at an organisation"
    out[_tags(a["quirks"], *sparse) | _tags(b["quirks"], *sparse)] = "4 typos and sparse records"
    moved = a["mover"].eq("1") & (_tags(a["quirks"], "old_address") ^ _tags(b["quirks"], "old_address"))
    out[moved] = "3 movers"
    out[a["party_kind"].eq("organisation")] = "2 organisation, several mailboxes"
    return out


def merge_class(a: pd.DataFrame, b: pd.DataFrame) -> pd.Series:
    """Class of a false merge (two truly different parties put together)."""
    pa, pb = a["party_kind"].eq("person"), b["party_kind"].eq("person")
    out = pd.Series("other persons (namesakes, shared details)", index=a.index)
    out[~pa & ~pb] = "two organisations"
    out[pa ^ pb] = "person with an unrelated organisation"
    own = (pa & ~pb & a["org_party_id"].eq(b["party_id"])) | (pb & ~pa & b["org_party_id"].eq(a["party_id"]))
    out[own] = "1 person with its own organisation"
    out[pa & pb & a["org_party_id"].ne("") & a["org_party_id"].eq(b["org_party_id"])] = "1 colleagues"
    out[pa & pb & a["household_id"].ne("") & a["household_id"].eq(b["household_id"])] = "5 households"
    return out


def _pairs_within(df: pd.DataFrame, group: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All record pairs (left, right) inside each group of `group` (groups are small: true entities)."""
    sizes = df.groupby(group)[group].transform("size")
    d = df[sizes.gt(1)].reset_index(drop=True)
    d["_i"] = range(len(d))
    m = d[[group, "_i"]].merge(d[[group, "_i"]], on=group, suffixes=("_a", "_b"))
    m = m[m["_i_a"] < m["_i_b"]]
    return d.iloc[m["_i_a"].to_numpy()].reset_index(drop=True), d.iloc[m["_i_b"].to_numpy()].reset_index(drop=True)


def breakdown(classes: pd.DataFrame, pred: pd.DataFrame, level: str, seed: int) -> dict[str, object]:
    """Missed pairs and false merges per class at `level` (party or customer), with example record pairs."""
    c = classes.copy()
    c["record_key"] = c["source_system"] + ":" + c["source_entity"] + ":" + c["source_record_id"]
    c = c.merge(pred.rename(columns={"party_id": "pred_party", "customer_id": "pred_customer"}), on="record_key")
    truth_col, pred_col = f"{level}_id", f"pred_{level}"
    a, b = _pairs_within(c, truth_col)
    miss = a[pred_col].to_numpy() != b[pred_col].to_numpy()
    a, b = a[miss].reset_index(drop=True), b[miss].reset_index(drop=True)
    if level == "party":
        missed = missed_class(a, b)
    else:
        same_party = a["party_id"].to_numpy() == b["party_id"].to_numpy()
        missed = pd.Series("other", index=a.index)
        missed[~same_party] = "1 person not joined to its organisation's customer"
        missed[same_party] = "party split (see party level)"
    # false merges: pairs of truly different entities inside one predicted cluster, one representative
    # record pair per pair of entities, weighted by the number of record pairs it stands for
    firsts = c.drop_duplicates([pred_col, truth_col])
    sizes = c.groupby([pred_col, truth_col]).size().rename("n").reset_index()
    firsts = firsts.merge(sizes, on=[pred_col, truth_col])
    multi = firsts[firsts.groupby(pred_col)[truth_col].transform("size").gt(1)].reset_index(drop=True)
    multi["_i"] = range(len(multi))
    m = multi[[pred_col, "_i"]].merge(multi[[pred_col, "_i"]], on=pred_col, suffixes=("_a", "_b"))
    m = m[m["_i_a"] < m["_i_b"]]
    fa = multi.iloc[m["_i_a"].to_numpy()].reset_index(drop=True)
    fb = multi.iloc[m["_i_b"].to_numpy()].reset_index(drop=True)
    weight = fa["n"] * fb["n"]
    if level == "party":
        merged = merge_class(fa, fb)
    else:
        merged = pd.Series("other customers", index=fa.index)
        household = fa["household_id"].ne("") & fa["household_id"].eq(fb["household_id"])
        merged[household] = "5 households"
        org = fa["party_kind"].eq("organisation") | fb["party_kind"].eq("organisation")
        merged[org & ~household] = "1 person or organisation joined to another customer"
    return {
        "missed": missed.value_counts().to_dict(),
        "merged": weight.groupby(merged).sum().astype(int).to_dict(),
        "missed_examples": _examples(a, b, missed, seed),
        "merged_examples": _examples(fa, fb, merged, seed),
    }


def _examples(a: pd.DataFrame, b: pd.DataFrame, cls: pd.Series, seed: int, k: int = 3) -> dict[str, list]:
    out: dict[str, list] = {}
    for name, idx in cls.groupby(cls).groups.items():
        pick = pd.Series(idx).sample(min(k, len(idx)), random_state=seed)
        out[str(name)] = [[_show(a.loc[i]), _show(b.loc[i])] for i in pick]
    return out


def _show(r: pd.Series) -> str:
    parts = [str(r["record_key"])]
    for col in DETAIL:
        v = r.get(col)
        if v is not None and not (isinstance(v, float) and pd.isna(v)) and str(v) not in ("", "None", "NaT"):
            parts.append(str(v))
    if r.get("quirks"):
        parts.append(f"[{r['quirks']}]")
    return " | ".join(parts)


# ---------------------------------------------------------------- main


def one(seed: int, customers: int, args: argparse.Namespace) -> dict[str, object]:
    work = Path(args.workdir) / f"s{seed}_n{customers}"
    if args.reuse and (work / "results.json").exists():
        return rescore(work, seed, customers, args)
    if work.exists():
        subprocess.run(["rm", "-rf", str(work)], check=True)
    work.mkdir(parents=True)
    t = time.perf_counter()
    manifest = independent_landing.generate(work, customers, seed)
    gen_seconds = round(time.perf_counter() - t, 1)
    env = {**os.environ, "CVM_HOME": str(work / "home"), "CVM_LOG_LEVEL": "INFO"}
    env.pop("CVM_DATABASE_URL", None)
    if args.pg:
        db = f"cvm_indep_s{seed}_n{customers}"
        admin = f"{args.pg.rstrip('/')}/postgres"
        subprocess.run(["psql", admin, "-qc", f"drop database if exists {db}"], check=True)
        subprocess.run(["psql", admin, "-qc", f"create database {db}"], check=True)
        env["CVM_DATABASE_URL"] = f"{args.pg.rstrip('/')}/{db}"
    load = os.getloadavg()
    run = run_pipeline(work / "landing", env, work / "cvm_run.log")
    return score_run(work, seed, customers, env, run, manifest, gen_seconds, load)


def rescore(work: Path, seed: int, customers: int, args: argparse.Namespace) -> dict[str, object]:
    """Score an earlier run again (its database and landing zone kept), e.g. after changing the Splink set-up."""
    old = json.loads((work / "results.json").read_text())
    env = {**os.environ, "CVM_HOME": str(work / "home")}
    env.pop("CVM_DATABASE_URL", None)
    if args.pg:
        env["CVM_DATABASE_URL"] = f"{args.pg.rstrip('/')}/cvm_indep_s{seed}_n{customers}"
    run = {
        "identity_seconds": old["cvm"]["seconds"],
        "run_seconds": old["cvm"]["run_seconds"],
        "rc": old["cvm"]["run_rc"],
    }
    manifest = json.loads((work / "truth" / "manifest.json").read_text())
    return score_run(work, seed, customers, env, run, manifest, old["generate_seconds"], tuple(old["load_before"]))


def score_run(
    work: Path,
    seed: int,
    customers: int,
    env: dict[str, str],
    run: dict[str, float],
    manifest: dict[str, object],
    gen_seconds: float,
    load: tuple[float, ...],
) -> dict[str, object]:
    evaluation = subprocess.run(
        [str(CVM), "evaluate-identity", "--truth", str(work / "truth")], env=env, capture_output=True, text=True
    )
    records, ours = read_frames(env)
    truth = pd.read_csv(work / "truth" / "records.csv", dtype=str)
    classes = pd.read_csv(work / "truth" / "record_classes.csv", dtype=str, keep_default_na=False)
    classes = classes.merge(
        records[["source_system", "source_entity", "source_record_id", *DETAIL]].astype(object),
        on=["source_system", "source_entity", "source_record_id"],
        how="left",
    )
    result: dict[str, object] = {
        "seed": seed,
        "customers": customers,
        "records": len(truth),
        "true_parties": int(truth["party_id"].nunique()),
        "true_customers": int(truth["customer_id"].nunique()),
        "generate_seconds": gen_seconds,
        "load_before": [round(x, 1) for x in load],
        "counts": manifest["counts"],
        "cvm": {
            **scores(truth, ours),
            "seconds": run["identity_seconds"],
            "run_seconds": run["run_seconds"],
            "run_rc": run["rc"],
        },
        "cvm_evaluate_identity": evaluation.stdout.strip(),
        "breakdown": {lvl: breakdown(classes, ours, lvl, seed) for lvl in ("party", "customer")},
    }
    preds, info = run_splink(records, work)
    if preds:
        std = str(info["standard"])
        standard = preds[std]
        per = {key: scores(truth, p) for key, p in preds.items()}
        best = max(per, key=lambda k: per[k]["party"]["f1"] + per[k]["customer"]["f1"])
        seconds = info.pop("seconds")
        result["splink"] = {**per[std], **info, "threshold": std, "seconds": seconds[std]}
        result["splink_best"] = {**per[best], **info, "threshold": best, "seconds": seconds[best]}
        result["splink_thresholds"] = per
        result["splink_breakdown"] = {"party": breakdown(classes, standard, "party", seed)}
    else:
        result["splink"] = info
    result["load_after"] = [round(x, 1) for x in os.getloadavg()]
    (work / "results.json").write_text(json.dumps(result, indent=2, default=str))
    return result


def table(results: list[dict]) -> str:
    lines = [
        "| seed | customers | records | engine | party P | party R | party F1 | party B³ F1 | customer P | "
        "customer R | customer F1 | customer B³ F1 | seconds |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for engine in ("cvm", "splink", "splink_best"):
            e = r.get(engine, {})
            if engine == "splink_best" and not e:
                continue
            if "party" not in e:
                lines.append(f"| {r['seed']} | {r['customers']:,} | {r['records']:,} | {engine} | {e} |")
                continue
            p, c = e["party"], e["customer"]
            label = {
                "cvm": "cvm (identity stage)",
                "splink": f"splink {e.get('version')} ({e.get('threshold')})",
                "splink_best": f"splink, best in hindsight ({e.get('threshold')})",
            }[engine]
            lines.append(
                f"| {r['seed']} | {r['customers']:,} | {r['records']:,} | {label} | {p['precision']:.3f} | "
                f"{p['recall']:.3f} | **{p['f1']:.3f}** | {p['bcubed_f1']:.3f} | {c['precision']:.3f} | "
                f"{c['recall']:.3f} | **{c['f1']:.3f}** | {c['bcubed_f1']:.3f} | {e['seconds']} |"
            )
    return "\n".join(lines)


def classes_table(results: list[dict], engine: str = "breakdown") -> str:
    lines = []
    for r in results:
        b = r.get(engine)
        if not b:
            continue
        for level, d in b.items():
            lines.append(f"\n**seed {r['seed']}, {r['customers']:,} customers, {level} level**\n")
            lines.append("| class | missed pairs | false-merge pairs |\n|---|---:|---:|")
            for cls in sorted(set(d["missed"]) | set(d["merged"])):
                lines.append(f"| {cls} | {d['missed'].get(cls, 0):,} | {d['merged'].get(cls, 0):,} |")
    return "\n".join(lines)


def examples(result: dict, level: str = "party") -> str:
    d = result["breakdown"][level]
    out = []
    for kind in ("missed", "merged"):
        for cls, pairs in sorted(d[f"{kind}_examples"].items()):
            out.append(f"\n*{'missed' if kind == 'missed' else 'false merge'}: {cls}*")
            for left, right in pairs:
                out.append(f"- {left}\n  vs {right}")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[2000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--pg", help="server URL without database, e.g. postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--workdir", default="/tmp/bench_identity_independent")
    parser.add_argument("--markdown", help="also write the tables and examples to this file")
    parser.add_argument("--reuse", action="store_true", help="score earlier runs in --workdir again (no new cvm run)")
    args = parser.parse_args()
    results = []
    for customers in args.customers:
        for seed in args.seeds:
            results.append(one(seed, customers, args))
            print(table(results[-1:]), flush=True)
    text = [
        f"load average now {' / '.join(f'{x:.1f}' for x in os.getloadavg())}, {os.cpu_count()} cpus",
        table(results),
        "\n### Our engine: missed pairs and false merges per class",
        classes_table(results),
        "\n### Splink: per class (party level)",
        classes_table(results, "splink_breakdown"),
        "\n### Examples (our engine, party level, first result)",
        examples(results[0]),
    ]
    out = "\n".join(text)
    print(out)
    if args.markdown:
        Path(args.markdown).write_text(out + "\n")


if __name__ == "__main__":
    main()
