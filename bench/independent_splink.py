"""Splink on int_party_records (run by bench_identity_independent.py inside bench/.venv-peers; prints one JSON line).

A standard Splink 5 dedupe set-up over the fields both engines see after staging: first and last name with
term-frequency adjustments, date of birth, e-mail, phone, postcode + house number, organisation name (with
term frequencies), KvK, IBAN and the record's party kind. u by random sampling, m by EM over three blocking
rules, predictions over eight blocking rules, clusters at match probability `--threshold` (0.9 as in
bench_identity_splink.py; `seconds` covers this one), and at the `--also` thresholds; the same model once more
with persons and organisations deduplicated apart (`variants.by_kind`). The bench reports the standard model
at 0.9 and the best variant and threshold in hindsight (a tuned Splink). No rule is fitted to the generator.
"""

from __future__ import annotations

import argparse
import json
import logging
import time

import pandas as pd
import splink
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def frame(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    house = df["house_number"].fillna("") + df["house_number_addition"].fillna("")
    df["address_key"] = (df["postcode"] + " " + house).where(df["postcode"].notna() & house.ne(""))
    df["first_name"] = df["first_name"].str.lower()
    df["last_name"] = df["last_name"].str.lower()
    df["organisation_name"] = df["organisation_name"].str.lower()
    df["email"] = df["email"].str.lower()
    return df.rename(columns={"record_key": "unique_id"})[
        [
            "unique_id",
            "party_kind",
            "first_name",
            "last_name",
            "birth_date",
            "email",
            "phone",
            "postcode",
            "house_number",
            "address_key",
            "organisation_name",
            "kvk_number",
            "iban",
        ]
    ]


def link(df: pd.DataFrame, threshold: float, also: list[float], by_kind: bool) -> dict[str, object]:
    """One Splink model; `by_kind` adds party_kind to every blocking rule, so persons and organisations are
    deduplicated apart (a common first tuning step, not a rule fitted to this generator)."""
    t = time.perf_counter()
    kind = ("party_kind",) if by_kind else ()

    def rule(*cols: str) -> object:
        return block_on(*cols, *kind)

    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            rule("first_name", "last_name"),
            rule("last_name", "birth_date"),
            rule("email"),
            rule("phone"),
            rule("address_key"),
            rule("organisation_name"),
            rule("kvk_number"),
            rule("iban"),
        ],
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("address_key"),
            cl.JaroWinklerAtThresholds("organisation_name", [0.95, 0.88]).configure(term_frequency_adjustments=True),
            cl.ExactMatch("kvk_number"),
            cl.ExactMatch("iban"),
            cl.ExactMatch("party_kind"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(DuckDBAPI().register(df), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [rule("email"), rule("first_name", "last_name", "birth_date"), rule("kvk_number")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
    linker.training.estimate_parameters_using_expectation_maximisation(rule("first_name", "last_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(rule("email"))
    linker.training.estimate_parameters_using_expectation_maximisation(rule("address_key"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold).as_pandas_dataframe()
    seconds = round(time.perf_counter() - t, 1)
    others = {}
    for other in also:
        c = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, other).as_pandas_dataframe()
        c = c.set_index("unique_id")["cluster_id"].reindex(clusters["unique_id"])
        others[str(other)] = c.astype(str).tolist()
    return {
        "seconds": seconds,
        "threshold": threshold,
        "clusters_at": others,
        "record_key": clusters["unique_id"].astype(str).tolist(),
        "cluster": clusters["cluster_id"].astype(str).tolist(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--also", type=float, nargs="*", default=[0.5, 0.95, 0.99], help="more cluster thresholds")
    args = parser.parse_args()
    df = frame(args.path)
    standard = link(df, args.threshold, args.also, by_kind=False)
    by_kind = link(df, args.threshold, args.also, by_kind=True)
    print(json.dumps({"version": splink.__version__, **standard, "variants": {"by_kind": by_kind}}))


if __name__ == "__main__":
    main()
