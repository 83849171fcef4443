"""Why two records were (or were nearly) linked: per pair and field the comparison level and its weight.

Written for every scored pair at or above `identity_review_lower`, so both the linked pairs
(marts.identity_match_explanations) and the uncertain ones (marts.identity_review_queue) can be read
field by field. The weight is the log2 Bayes factor the level contributed (0 when a value is missing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.linkage.compare import Field
from ml.linkage.score import FellegiSunter

COLUMNS = ["record_key_l", "record_key_r", "party_kind", "field", "level", "level_label", "weight"]
DDL = """create table if not exists ml.identity_pair_fields (
    record_key_l text not null, record_key_r text not null, party_kind text not null, field text not null,
    level smallint not null, level_label text not null, weight double precision not null,
    model_run_id text not null, primary key (record_key_l, record_key_r, field))"""

LABELS = {
    "name": ("different", "similar", "close", "exact"),
    "address": ("other postcode", "same postcode, other number", "same postcode, number unknown", "same address"),
    "organisation": ("different organisation", "same work e-mail domain", "same organisation"),
    "date": ("different", "a typing error apart", "same"),
    "email": ("different", "same mailbox name, other provider", "same"),
    # a bare initial against the other side's name: fits its name, or only a name it is called by ('H.' for
    # Johannes called Hans)
    "initial": ("does not fit", "fits a name it is called by", "fits"),
}


def level_label(f: Field, level: int) -> str:
    if level < 0:
        return "missing"
    labels = LABELS.get(f.method, ("different", "same"))
    return labels[min(level, len(labels) - 1)]


def explain(
    levels: pd.DataFrame, model: FellegiSunter, probability: np.ndarray, party_kind: str, lower: float
) -> pd.DataFrame:
    """Long frame (COLUMNS) for the pairs whose probability is at least `lower`."""
    keep = np.asarray(probability) >= lower
    if not keep.any():
        return pd.DataFrame(columns=COLUMNS)
    sel = levels[keep]
    weights = model.field_weights(sel)
    parts = []
    for f in model.fields:
        lv = sel[f.name].to_numpy(dtype=int)
        parts.append(
            pd.DataFrame(
                {
                    "record_key_l": sel.index.get_level_values(0).astype(str),
                    "record_key_r": sel.index.get_level_values(1).astype(str),
                    "party_kind": party_kind,
                    "field": f.name,
                    "level": lv,
                    "level_label": [level_label(f, int(v)) for v in lv],
                    "weight": weights[f.name].round(4).to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[COLUMNS]
