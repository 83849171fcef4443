"""Retention of the per-run model tables: the database grows with the changes, not with the run history.

`ml.segment_history`, `ml.customer_scores`, `ml.cluster_profiles` and `ml.prospect_lookalikes` hold one set
of rows per model run (`model_run_id` = the pipeline run id). A daily run adds a whole customer base's 12
months of segments each time, so without pruning the database grows with the number of runs. After a run is
published, rows are deleted of every run that no later run reads. Kept:

- the run just published and the last `keep_runs` published runs (`CVM_KEEP_RUNS`, default 3);
- every run the monthly evaluation reads: per month, the first published run as of the month end or later
  (`cvm.evaluation.runs.covering_run`), and every run already recorded in `ops.evaluation_runs`.

`history.contact_plan_history` gets one whole plan per published run appended (~15 MB a run at 20,000
customers). Kept: the plans of the last `keep_runs` publications, and per calendar month the last version of
the month's last as-of date, which is the plan the monthly evaluation compares the next month with (the
last plan published before the month began). Superseded daily plans in between are deleted.

The tables that identity resolution replaces whole every run (`ml.identity_pairs`, `ml.identity_pair_fields`,
`ml.identity_records`) and the pruned tables are vacuumed afterwards, so their space is reused instead of
growing by a run's dead rows each day. `ml.identity_id_changes` and `ml.model_runs` are small audit trails
and are kept whole.

great-expectations stores every validation result as a file and never deletes one, and its Data Docs index
re-reads all of them, so each gate run was slower than the one before. `prune_gx_results` keeps the newest
`keep_runs` results of every suite (and their Data Docs pages); the gates call it before building the docs.
Checkpoints, suites and validation definitions are files under fixed names, replaced each run.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from cvm.publish import PLAN_HISTORY
from cvm.warehouse import connect

PER_RUN_TABLES = ("ml.segment_history", "ml.customer_scores", "ml.cluster_profiles", "ml.prospect_lookalikes")
REPLACED_TABLES = ("ml.identity_pairs", "ml.identity_pair_fields", "ml.identity_records")

# Published runs that a later run reads. A run "covers" a month when its as-of date is the first published
# one on or after that month end: it is, when the last month end on or before its as-of date falls after the
# previous published as-of date. Of several runs on that date the latest started is the one read.
KEPT_RUNS_SQL = """
with published as (
    select run_id, as_of, started_at,
           row_number() over (order by started_at desc) as recency,
           row_number() over (partition by as_of order by started_at desc) as on_date
    from ops.pipeline_runs
    where status = 'published'
),
dates as (
    select as_of, lag(as_of) over (order by as_of) as previous_as_of
    from (select distinct as_of from published) as d
),
covering as (
    select published.run_id
    from published
    join dates using (as_of)
    where published.on_date = 1
      and (dates.previous_as_of is null
           or (date_trunc('month', published.as_of + 1)::date - 1) > dates.previous_as_of)
)
select run_id from published where recency <= %(keep)s
union select run_id from covering
union select %(current)s
"""


# Plan versions (as_of_date, published_at) that stay: the last `keep` published, and per month the latest
# version of its last as-of date (what evaluation_customer_months reads as "the plan published before").
PLAN_PRUNE_SQL = """
with versions as (
    select as_of_date, published_at,
           row_number() over (order by published_at desc) as recency,
           row_number() over (partition by date_trunc('month', as_of_date)
                              order by as_of_date desc, published_at desc) as month_rank
    from (select distinct as_of_date, published_at from {table}) as v
)
delete from {table} as plan
using versions
where plan.as_of_date = versions.as_of_date and plan.published_at = versions.published_at
  and versions.recency > %(keep)s and versions.month_rank > 1
"""


@dataclass(frozen=True)
class RetentionSummary:
    kept_runs: int
    deleted_rows: dict[str, int]

    @property
    def deleted(self) -> int:
        return sum(self.deleted_rows.values())


def kept_runs(conn, current_run_id: str, keep_runs: int) -> set[str]:  # noqa: ANN001
    """Run ids whose per-run rows stay: the current, the last `keep_runs` published, those evaluation reads."""
    kept = {row[0] for row in conn.execute(KEPT_RUNS_SQL, {"keep": keep_runs, "current": current_run_id})}
    if conn.execute("select to_regclass('ops.evaluation_runs')").fetchone()[0]:
        kept |= {row[0] for row in conn.execute("select model_run_id from ops.evaluation_runs")}
    return kept


def prune_runs(url: str, current_run_id: str, keep_runs: int, vacuum: bool = True) -> RetentionSummary:
    """Delete the per-run rows of runs nothing reads any more, then vacuum the model tables."""
    if keep_runs < 1:
        raise ValueError(f"keep_runs must be at least 1, got {keep_runs}")
    deleted: dict[str, int] = {}
    with connect(url) as conn:
        if not conn.execute("select to_regclass('ops.pipeline_runs')").fetchone()[0]:
            return RetentionSummary(kept_runs=0, deleted_rows={})
        kept = kept_runs(conn, current_run_id, keep_runs)
        for table in PER_RUN_TABLES:
            if conn.execute("select to_regclass(%s)", (table,)).fetchone()[0]:
                cur = conn.execute(f"delete from {table} where not (model_run_id = any(%s))", (list(kept),))  # noqa: S608
                deleted[table] = cur.rowcount
        plans = ".".join(PLAN_HISTORY)
        if conn.execute("select to_regclass(%s)", (plans,)).fetchone()[0]:
            deleted[plans] = conn.execute(PLAN_PRUNE_SQL.format(table=plans), {"keep": keep_runs}).rowcount
    if vacuum:
        with connect(url, autocommit=True) as conn:
            for table in (*PER_RUN_TABLES, *REPLACED_TABLES, ".".join(PLAN_HISTORY)):
                if conn.execute("select to_regclass(%s)", (table,)).fetchone()[0]:
                    conn.execute(f"vacuum (analyze) {table}")
    return RetentionSummary(kept_runs=len(kept), deleted_rows=deleted)


GX_RESULT_DIRS = ("uncommitted/validations", "uncommitted/data_docs/local_site/validations")


def prune_gx_results(gx_root: Path, keep_runs: int) -> int:
    """Delete all but the newest `keep_runs` stored validation results of each suite, and their Data Docs pages.

    GX files a result as `<store>/<suite path>/<run name>/<run time>/<batch>.json` (the run time a sortable UTC
    stamp such as `20261204T162825.436911Z`; `.html` under the docs site). Returns the run-time folders removed."""
    if keep_runs < 1:
        raise ValueError(f"keep_runs must be at least 1, got {keep_runs}")
    removed = 0
    for store in GX_RESULT_DIRS:
        root = Path(gx_root) / store
        if not root.is_dir():
            continue
        run_dirs: dict[Path, list[Path]] = {}  # suite folder -> its run-time folders
        for batch in root.rglob("*"):
            if batch.is_file() and batch.suffix in (".json", ".html") and len(batch.relative_to(root).parts) >= 4:
                run_time = batch.parent
                run_dirs.setdefault(run_time.parent.parent, []).append(run_time)
        for runs in run_dirs.values():
            for old in sorted(set(runs), key=lambda p: p.name, reverse=True)[keep_runs:]:
                shutil.rmtree(old, ignore_errors=True)
                removed += 1
                if old.parent.is_dir() and not any(old.parent.iterdir()):
                    old.parent.rmdir()
    return removed
