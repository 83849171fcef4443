"""Identity resolution run: int_party_records -> ml.identity_pairs, ml.identity_records, id changes.

Pure core `resolve()` over DataFrames; `run_linkage()` adds the warehouse reads and writes.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import pandas as pd

from ml import io
from ml.config import ModelSettings, load_settings
from ml.linkage.block import ORGANISATION_PASSES, PERSON_PASSES, candidate_pairs
from ml.linkage.cluster import cluster_records
from ml.linkage.compare import ORGANISATION_FIELDS, PERSON_FIELDS, compare_levels
from ml.linkage.customers import assign_customers, record_employers
from ml.linkage.decisions import combined, pairs_of, read_seed
from ml.linkage.decisions import read_table as read_decisions
from ml.linkage.explain import COLUMNS as EXPLAIN_COLUMNS
from ml.linkage.explain import DDL as EXPLAIN_DDL
from ml.linkage.explain import explain
from ml.linkage.ids import assign_stable_ids
from ml.linkage.score import names_from_mailbox, namesake_probability, score_pairs, term_frequency_adjustment
from ml.linkage.standardise import prepare_records

log = logging.getLogger("ml.linkage")
logging.getLogger("recordlinkage").setLevel(logging.WARNING)  # it logs every index/compare call at INFO

# attributes a party has only one of: a cluster holding two values is split at its weakest link
EXCLUSIVE = {"person": ("birth_date_key",), "organisation": ("kvk_number",)}
# organisations first: a person's employer (the organisation party its records' links point to) is
# evidence for matching persons (the same full name at the same organisation)
KINDS = {
    "organisation": (ORGANISATION_PASSES, ORGANISATION_FIELDS),
    "person": (PERSON_PASSES, PERSON_FIELDS),
}


@dataclass
class LinkageSummary:
    model_run_id: str
    records: int = 0
    candidate_pairs: int = 0
    matched_pairs: int = 0
    parties: int = 0
    customers: int = 0
    id_changes: int = 0
    pairs_by_pass: dict[str, int] = field(default_factory=dict)
    model: dict[str, object] = field(default_factory=dict)
    elapsed: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class LinkageResult:
    records: pd.DataFrame  # ml.identity_records shape (without model_run_id)
    pairs: pd.DataFrame  # record_key_l, record_key_r, match_probability, is_match
    changes: pd.DataFrame  # id_kind, old_id, new_id, kind, records
    summary: LinkageSummary
    explanations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EXPLAIN_COLUMNS))


class _Timer:
    def __init__(self, summary: LinkageSummary) -> None:
        self.summary = summary
        self.t = time.perf_counter()

    def step(self, name: str, message: str, *args: object) -> None:
        now = time.perf_counter()
        self.summary.elapsed[name] = round(self.summary.elapsed.get(name, 0.0) + now - self.t, 3)
        log.info("%-22s " + message + " (%.2fs)", name, *args, now - self.t)
        self.t = now


def resolve(
    party_records: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    settings: ModelSettings | None = None,
    model_run_id: str = "adhoc",
    decisions: pd.DataFrame | None = None,
) -> LinkageResult:
    """Resolve parties and customers. `previous`: last run's identity_records (record_key, party_id,
    customer_id), for stable ids; None or empty on the first run. `decisions`: steward must-link /
    cannot-link pairs (`decisions.py`), which override the model."""
    settings = settings or load_settings()
    summary = LinkageSummary(model_run_id=model_run_id)
    timer = _Timer(summary)
    records = prepare_records(party_records)
    summary.records = len(records)
    timer.step(
        "standardise",
        "%d records (%d persons, %d organisations)",
        len(records),
        int(records["party_kind"].eq("person").sum()),
        int(records["party_kind"].eq("organisation").sum()),
    )

    decided = decisions if decisions is not None else pd.DataFrame(columns=["record_key_l", "record_key_r", "decision"])
    must_link, cannot_link = pairs_of(decided, "must-link"), pairs_of(decided, "cannot-link")
    all_pairs: list[pd.DataFrame] = []
    explanations: list[pd.DataFrame] = []
    clusters: list[pd.DataFrame] = []
    for kind, (passes, fields) in KINDS.items():
        if kind == "person" and clusters:
            org_party = clusters[-1].set_index("record_key")["cluster"]
            records["employer"] = record_employers(records, org_party).reindex(records.index)
            timer.step("employers", "%d person records with an employer", int(records["employer"].notna().sum()))
        sub = records[records["party_kind"].eq(kind)]
        threshold = getattr(settings, f"linkage_threshold_{kind}")
        pairs, per_pass = candidate_pairs(sub, passes, settings.linkage_max_block_size)
        summary.pairs_by_pass.update({f"{kind}.{k}": v for k, v in per_pass.items()})
        summary.candidate_pairs += len(pairs)
        timer.step(f"block.{kind}", "%d candidate pairs %s", len(pairs), per_pass)
        levels = compare_levels(pairs, sub, fields)
        timer.step(f"compare.{kind}", "%d comparison vectors", len(levels))
        # exact agreement on a common surname (Jansen) or company name weighs less than on a rare one
        tf = (
            term_frequency_adjustment(levels, sub, "last_name", "last_name")
            if kind == "person"
            else term_frequency_adjustment(levels, sub, "organisation_name", "organisation_key")
        )
        namesake = namesake_probability(levels, sub) if kind == "person" else None
        scored, model = score_pairs(
            levels,
            fields,
            kind,
            threshold,
            settings.linkage_name_only_max_probability,
            adjustment=tf,
            namesake=namesake,
            name_from_mailbox=names_from_mailbox(levels, sub) if kind == "person" else None,
        )
        explanations.append(
            explain(levels, model, scored["match_probability"].to_numpy(), kind, settings.identity_review_lower)
        )
        summary.matched_pairs += int(scored["is_match"].sum())
        summary.model[kind] = {
            "lambda": round(model.lambda_, 6),
            "em_iterations": model.iterations,
            "threshold": threshold,
            "weights": model.weights_table(),
        }
        timer.step(
            f"score.{kind}",
            "%d matched pairs (threshold %.2f, lambda %.4f, %d EM iterations)",
            int(scored["is_match"].sum()),
            threshold,
            model.lambda_,
            model.iterations,
        )
        max_size = getattr(settings, f"linkage_max_{kind}_cluster_size")
        clustered = cluster_records(
            sub.index,
            scored,
            threshold,
            max_size,
            settings.linkage_strong_probability,
            records=sub,
            exclusive=EXCLUSIVE[kind],
            must_link=must_link,
            cannot_link=cannot_link,
        )
        clustered["cluster"] = kind[0] + clustered["cluster"].astype(str)
        clusters.append(clustered)
        all_pairs.append(scored)
        timer.step(f"cluster.{kind}", "%d parties", clustered["cluster"].nunique())

    parties = pd.concat(clusters).set_index("record_key")
    party = parties["cluster"].reindex(records.index)
    cust = assign_customers(records, party)
    timer.step(
        "customers",
        "%d customers (%d organisations)",
        cust["customer"].nunique(),
        cust.loc[cust["customer_type"].eq("organisation"), "customer"].nunique(),
    )

    prev = (
        previous
        if previous is not None and len(previous)
        else pd.DataFrame(columns=["record_key", "party_id", "customer_id"])
    )
    prev = prev.set_index("record_key")
    first_seen = records["first_seen_at"]
    party_ids, party_changes = assign_stable_ids(party, first_seen, prev["party_id"], "P")
    customer_ids, customer_changes = assign_stable_ids(cust["customer"], first_seen, prev["customer_id"], "C")
    changes = pd.concat(
        [party_changes.assign(id_kind="party"), customer_changes.assign(id_kind="customer")],
        ignore_index=True,
    )
    summary.parties = party_ids.nunique()
    summary.customers = customer_ids.nunique()
    summary.id_changes = len(changes)
    timer.step("ids", "%d parties, %d customers, %d id changes", summary.parties, summary.customers, len(changes))

    out = pd.DataFrame(
        {
            "record_key": records.index.astype(str),
            "party_id": party_ids.to_numpy(),
            "party_kind": records["party_kind"].to_numpy(),
            "customer_id": customer_ids.reindex(records.index).to_numpy(),
            "customer_type": cust["customer_type"].reindex(records.index).to_numpy(),
            "match_probability": parties["match_probability"].reindex(records.index).to_numpy(),
        }
    )
    pairs_out = (
        pd.concat(all_pairs, ignore_index=True)
        if all_pairs
        else pd.DataFrame(columns=["record_key_l", "record_key_r", "match_probability", "is_match"])
    )
    return LinkageResult(
        records=out,
        pairs=pairs_out,
        changes=changes,
        summary=summary,
        explanations=pd.concat(explanations, ignore_index=True)
        if explanations
        else pd.DataFrame(columns=EXPLAIN_COLUMNS),
    )


def run_linkage(url: str, model_run_id: str, settings: ModelSettings | None = None) -> LinkageSummary:
    """Read intermediate.int_party_records, resolve, replace ml.identity_pairs/identity_records.

    Re-running with the same model_run_id gives the same ids (the previous ids it reads are its own).
    """
    from cvm.warehouse import connect

    started = datetime.now(UTC)
    t0 = time.perf_counter()
    with connect(url) as conn:
        io.ensure_ml_tables(conn)
        party_records = io.read_table(conn, "intermediate.int_party_records")
        previous = io.read_frame(conn, "select record_key, party_id, customer_id from ml.identity_records")
        log.info(
            "%-22s %d party records, %d previous identity records (%.2fs)",
            "read",
            len(party_records),
            len(previous),
            time.perf_counter() - t0,
        )
        decisions = combined(read_seed(), read_decisions(conn))
        settings = settings or load_settings()
        result = resolve(party_records, previous, settings, model_run_id, decisions)
        summary = result.summary
        t = time.perf_counter()
        # the pairs a steward or a mart can use (linked, or uncertain enough to review): at 100k customers
        # the other 90% of candidate pairs took minutes to copy and were read by nothing
        pairs = result.pairs[
            result.pairs["is_match"] | result.pairs["match_probability"].ge(settings.identity_review_lower)
        ]
        conn.execute(EXPLAIN_DDL)
        conn.execute("delete from ml.identity_pair_fields")
        conn.execute("delete from ml.identity_pairs")
        conn.execute("delete from ml.identity_records")
        io.delete_run(conn, "ml.identity_id_changes", model_run_id)
        io.copy_frame(
            conn,
            "ml.identity_pairs",
            pairs.assign(model_run_id=model_run_id),
            io.IDENTITY_PAIR_COLUMNS,
        )
        io.copy_frame(
            conn,
            "ml.identity_pair_fields",
            result.explanations.assign(model_run_id=model_run_id),
            (*EXPLAIN_COLUMNS, "model_run_id"),
        )
        io.copy_frame(
            conn,
            "ml.identity_records",
            result.records.assign(model_run_id=model_run_id),
            io.IDENTITY_RECORD_COLUMNS,
        )
        io.copy_frame(
            conn,
            "ml.identity_id_changes",
            result.changes.assign(model_run_id=model_run_id),
            io.ID_CHANGE_COLUMNS,
        )
        summary.elapsed["write"] = round(time.perf_counter() - t, 3)
        summary.elapsed["total"] = round(time.perf_counter() - t0, 3)
        io.upsert_model_run(
            conn,
            model_run_id,
            as_of_date=None,
            started_at=started,
            finished_at=datetime.now(UTC),
            params={"linkage": {"model": summary.model}},
            metrics={"linkage": {k: v for k, v in summary.as_dict().items() if k not in ("model", "model_run_id")}},
            status="linked",
        )
        log.info(
            "%-22s %d pairs, %d records, %d id changes written (%.2fs)",
            "write",
            len(pairs),
            len(result.records),
            len(result.changes),
            summary.elapsed["write"],
        )
    return summary
