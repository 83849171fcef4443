"""Splink on one FEBRL csv (run by bench_identity.py inside bench/.venv-peers; prints one JSON line).

A standard Splink 5 dedupe set-up as its documentation describes for FEBRL-like person data: name,
date-of-birth, address and identifier comparisons with term frequencies on names, u by random sampling,
m by EM over two blocking rules, clusters at match probability 0.9.
"""

from __future__ import annotations

import json
import logging
import sys
import time

import pandas as pd
import splink
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def main(path: str) -> None:
    t = time.perf_counter()
    df = pd.read_csv(path, dtype=str).rename(columns={"rec_id": "unique_id"})
    db_api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("postcode", "street_number"),
            block_on("soc_sec_id"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.LevenshteinAtThresholds("address_1", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("suburb"),
        ],
    )
    linker = Linker(db_api.register(df), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth"), block_on("soc_sec_id")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.9).as_pandas_dataframe()
    print(
        json.dumps(
            {
                "version": splink.__version__,
                "seconds": round(time.perf_counter() - t, 1),
                "rec_id": clusters["unique_id"].astype(str).tolist(),
                "cluster": clusters["cluster_id"].astype(str).tolist(),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
