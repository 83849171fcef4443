"""Business configuration for the models, read from the dbt seeds that marketers edit.

`dbt_project/seeds/segment_matrix.csv` and `model_settings.csv` are the single source: dbt loads the
same files into schema `config`, so the marts and the Python models can never disagree on a threshold.
Defaults below only fill keys a seed file lacks; they are not a second source of truth.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cvm.errors import ConfigError  # a user error: fails the task at once, without retries

SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"

SEGMENTS: tuple[str, ...] = ("star", "cash_cow", "question_mark", "dog", "sleeper", "lost", "new")
VALUE_CLASSES: tuple[str, ...] = ("high", "low", "none")
POTENTIAL_CLASSES: tuple[str, ...] = ("high", "low")


@dataclass(frozen=True)
class ModelSettings:
    value_high_quantile: float = 0.8
    potential_high_quantile: float = 0.8
    min_cell_share: float = 0.02
    new_customer_days: int = 90
    clv_horizon_months: int = 12
    discount_rate_yearly: float = 0.10
    churn_threshold: float = 0.5
    n_clusters: int = 5
    min_repeat_buyers: int = 20
    min_churn_examples: int = 50
    min_churn_class_examples: int = 10
    linkage_threshold_person: float = 0.9
    linkage_threshold_organisation: float = 0.9
    linkage_name_only_max_probability: float = 0.5
    linkage_max_block_size: int = 500
    linkage_max_person_cluster_size: int = 12
    linkage_max_organisation_cluster_size: int = 60
    linkage_strong_probability: float = 0.99
    identity_review_lower: float = 0.3
    identity_review_upper: float = 0.95
    segment_matrix: dict[tuple[str, str], str] = field(default_factory=dict)

    def as_params(self) -> dict[str, object]:
        """JSON-friendly view for ml.model_runs.params."""
        out = {k: v for k, v in dataclasses.asdict(self).items() if k != "segment_matrix"}
        out["segment_matrix"] = {f"{v}|{p}": s for (v, p), s in sorted(self.segment_matrix.items())}
        return out


def read_segment_matrix(path: Path) -> dict[tuple[str, str], str]:
    """(value_class, potential_class) -> segment; every combination must be present exactly once."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"value_class", "potential_class", "segment"} - set(df.columns)
    if missing:
        raise ConfigError(f"{path}: missing columns {sorted(missing)}")
    matrix: dict[tuple[str, str], str] = {}
    for row in df.itertuples(index=False):
        key = (row.value_class.strip().lower(), row.potential_class.strip().lower())
        segment = row.segment.strip().lower()
        if key[0] not in VALUE_CLASSES or key[1] not in POTENTIAL_CLASSES:
            raise ConfigError(f"{path}: unknown class combination {key}")
        if segment not in SEGMENTS:
            raise ConfigError(f"{path}: unknown segment {segment!r} (allowed: {', '.join(SEGMENTS)})")
        if key in matrix:
            raise ConfigError(f"{path}: combination {key} appears twice")
        matrix[key] = segment
    wanted = {(v, p) for v in VALUE_CLASSES for p in POTENTIAL_CLASSES}
    if set(matrix) != wanted:
        raise ConfigError(f"{path}: combinations missing: {sorted(wanted - set(matrix))}")
    return matrix


def load_settings(seeds_dir: Path | None = None) -> ModelSettings:
    """Settings from model_settings.csv (key,value,description) plus the segment matrix."""
    seeds_dir = seeds_dir or SEEDS_DIR
    path = seeds_dir / "model_settings.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    values = dict(zip(df["key"].str.strip(), df["value"].str.strip(), strict=True))
    kwargs: dict[str, object] = {}
    for f in dataclasses.fields(ModelSettings):
        if f.name == "segment_matrix" or f.name not in values:
            continue
        caster = int if f.type in ("int", int) else float
        try:
            kwargs[f.name] = caster(values[f.name])
        except ValueError as exc:
            raise ConfigError(f"{path}: {f.name}={values[f.name]!r} is not a number") from exc
    share = float(kwargs.get("min_cell_share", ModelSettings.min_cell_share))
    if not 0.0 <= share <= 1.0 / 6.0:
        raise ConfigError(f"{path}: min_cell_share={share:g} must be between 0 and 1/6 (six cells share everyone)")
    kwargs["segment_matrix"] = read_segment_matrix(seeds_dir / "segment_matrix.csv")
    return ModelSettings(**kwargs)
