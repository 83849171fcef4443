"""Identity quality on a demo (or any) landing zone with truth: scores, the review band, calibration, and the
missed true pairs and false merges per class of issue 6.

    cvm demo-data --out /tmp/d41 --customers 20000 --seed 41
    CVM_HOME=/tmp/h41 cvm run --landing /tmp/d41/landing --as-of 2026-06-30 --no-airflow
    .venv/bin/python bench/bench_identity_classes.py --url "$(CVM_HOME=/tmp/h41 cvm db url)" --truth /tmp/d41/truth

or `--frame file.pkl` for int_party_records saved with pandas.to_pickle. `--splink` also runs Splink 5 on the
same records in the same run (bench_identity_independent.run_splink: bench/.venv-peers, its standard model at
0.9 and the best variant and threshold in hindsight) and prints its party and customer scores beside ours.
The classes are read off the
comparison levels of each missed pair (the generator is not asked): 1 people at an organisation (same
account, company or work domain and a close surname), 3 movers (same e-mail or phone, another address),
4 typos and sparse records (a close name, or a side without a first name), name-only (exact full name and
nothing else), other; organisations: 2 several mailboxes (same address or mail domain), other. False
merges of persons at one address with the same surname and different first names count as households (5).
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_identity_scale import load  # noqa: E402

from ml.config import load_settings  # noqa: E402
from ml.linkage import resolve  # noqa: E402
from ml.linkage.compare import ORGANISATION_FIELDS, PERSON_FIELDS, compare_levels  # noqa: E402
from ml.linkage.evaluate import evaluate, truth_record_keys  # noqa: E402
from ml.linkage.standardise import prepare_records  # noqa: E402

BUCKETS = [0, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0]


def _pairs_within(ids: pd.Series) -> pd.DataFrame:
    rows = [pair for _, g in ids.groupby(ids) if len(g) > 1 for pair in itertools.combinations(sorted(g.index), 2)]
    return pd.DataFrame(rows, columns=["l", "r"])


def person_class(lv: pd.DataFrame) -> np.ndarray:
    fn, ln = lv["first_name"], lv["last_name"]
    return np.select(
        [
            lv["organisation"].ge(1) & ln.ge(2),
            (lv["email"].ge(1) | lv["phone"].ge(1)) & lv["address"].between(0, 2),
            (fn.eq(-1) & ln.ge(1)) | fn.between(1, 2) | ln.between(1, 2),
            fn.eq(3) & ln.eq(3),
        ],
        ["1 people at an organisation", "3 movers", "4 typos / sparse", "name-only"],
        default="other",
    )


def splink_beside(records: pd.DataFrame, truth: pd.DataFrame) -> None:
    """Splink's standard model and its best variant in hindsight (by party F1) on these records."""
    from bench_identity_independent import run_splink, scores  # imports the independent generator: only here

    with tempfile.TemporaryDirectory() as tmp:
        preds, info = run_splink(records, Path(tmp))
    if not preds:
        print(f"splink: {info.get('error')}")
        return
    scored = {name: scores(truth, pred) for name, pred in preds.items()}
    best = max(scored, key=lambda n: scored[n]["party"]["f1"])
    for name in dict.fromkeys([info["standard"], best]):
        for level, s in scored[name].items():
            print(
                f"splink {info['version']} {name} ({info['seconds'][name]} s) {level}: P {s['precision']:.4f}"
                f" R {s['recall']:.4f} F1 {s['f1']:.4f} B-cubed F1 {s['bcubed_f1']:.4f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--frame")
    parser.add_argument("--truth", required=True, help="the truth directory (records.csv)")
    parser.add_argument("--splink", action="store_true", help="Splink on the same records, in the same run")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = load_settings()
    records = load(args.url, args.frame)
    truth = pd.read_csv(Path(args.truth) / "records.csv", dtype=str)
    t0 = time.perf_counter()
    result = resolve(records, settings=settings)
    seconds = time.perf_counter() - t0
    scores = evaluate(truth, result.records)
    print(f"records {len(records):,}, resolve {seconds:.1f} s, load average {os.getloadavg()[0]:.1f}")
    for level, s in scores.items():
        print(f"{level}: P {s.precision:.4f} R {s.recall:.4f} F1 {s.f1:.4f} B-cubed F1 {s.bcubed_f1:.4f}")
    if args.splink:
        splink_beside(records, truth)

    true_party = pd.Series(truth["party_id"].to_numpy(), index=truth_record_keys(truth))
    pairs = result.pairs
    same = true_party.reindex(pairs["record_key_l"]).to_numpy() == true_party.reindex(pairs["record_key_r"]).to_numpy()
    band = pairs["match_probability"].between(settings.identity_review_lower, settings.identity_review_upper, "left")
    print(
        f"review band [{settings.identity_review_lower}, {settings.identity_review_upper}): {int(band.sum()):,} pairs"
    )
    calib = pd.DataFrame({"bucket": pd.cut(pairs["match_probability"], BUCKETS, include_lowest=True), "same": same})
    print("calibration (candidate pairs per probability bucket, share truly one party):")
    print(calib.groupby("bucket", observed=True)["same"].agg(["size", "mean"]).round(3).to_string())

    predicted = result.records.set_index("record_key")["party_id"]
    true_party = true_party[true_party.index.isin(predicted.index)]
    prepared = prepare_records(records)
    kind = prepared["party_kind"]
    scored = pairs.set_index(["record_key_l", "record_key_r"])["match_probability"]
    true_pairs = _pairs_within(true_party)
    missed = true_pairs[predicted.reindex(true_pairs["l"]).to_numpy() != predicted.reindex(true_pairs["r"]).to_numpy()]
    missed = missed.assign(
        candidate=scored.reindex(pd.MultiIndex.from_frame(missed[["l", "r"]])).notna().to_numpy(),
        kinds=kind.reindex(missed["l"]).to_numpy() + "/" + kind.reindex(missed["r"]).to_numpy(),
    )
    print(
        f"missed true party pairs: {len(missed):,} of {len(true_pairs):,};",
        f"by kinds {missed['kinds'].value_counts().to_dict()}",
    )
    for k, fields in (("person", PERSON_FIELDS), ("organisation", ORGANISATION_FIELDS)):
        m = missed[missed["kinds"].eq(f"{k}/{k}")]
        lv = compare_levels(pd.MultiIndex.from_frame(m[["l", "r"]]), prepared[kind.eq(k)], fields)
        if k == "person":
            cls = person_class(lv)
        else:
            cls = np.where(lv["address"].ge(2) | lv["email_domain"].eq(1), "2 several mailboxes", "other")
        table = pd.crosstab(cls, np.where(m["candidate"], "scored", "never a candidate"))
        print(f"missed {k} pairs by class:\n{table.to_string()}")

    merged = _pairs_within(predicted)
    false = merged[true_party.reindex(merged["l"]).to_numpy() != true_party.reindex(merged["r"]).to_numpy()]
    persons = false[kind.reindex(false["l"]).eq("person").to_numpy()]
    lv = compare_levels(pd.MultiIndex.from_frame(persons[["l", "r"]]), prepared[kind.eq("person")], PERSON_FIELDS)
    household = lv["address"].ge(2) & lv["last_name"].ge(2) & lv["first_name"].le(1)
    print(f"false merge pairs: {len(false):,} ({len(persons):,} persons, {int(household.sum()):,} household-like: 5)")


if __name__ == "__main__":
    main()
