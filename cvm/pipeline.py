"""The stages of `cvm_pipeline`, as plain functions the DAG wires together and tests call directly.

Each stage takes the run context (a small JSON-able dict passed between Airflow tasks through XCom),
does one thing, logs a line with its counts and timing, and returns its figures. Data errors (a rejected
delivery, a blocking quality expectation) raise `DataError`, which the DAG turns into a failure without
retries; anything else is retried by Airflow.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cvm import runlog
from cvm.errors import UserError, is_user_error
from cvm.memory import peak_rss_mb
from cvm.settings import Settings, load_settings, local_today
from cvm.warehouse import ensure_schemas, warehouse_url

log = logging.getLogger("cvm.pipeline")

STAGES: tuple[str, ...] = (
    "ingest",
    "raw_quality_gate",
    "dbt_prepare",
    "identity",
    "dbt_customers",
    "models",
    "dbt_marts",
    "marts_quality_gate",
    "publish",
)


DataError = UserError  # the DAG's name for it: fail the task at once, without retries (see cvm.errors)


@dataclass(frozen=True)
class RunContext:
    run_id: str
    as_of: str
    landing: str

    @property
    def as_of_date(self) -> date:
        return date.fromisoformat(self.as_of)

    @property
    def dbt_vars(self) -> dict[str, str]:
        return {"as_of": self.as_of, "model_run_id": self.run_id}

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> RunContext:
        return cls(**data)


def new_run_id(as_of: str, started: datetime | None = None) -> str:
    """Readable and unique: `<as_of>T<start time>-<short hash>`."""
    started = started or datetime.now(UTC)
    digest = hashlib.sha1(f"{as_of}{started.isoformat()}".encode()).hexdigest()[:6]
    return f"{as_of}T{started:%H%M%S}-{digest}"


@contextmanager
def _stage(name: str, ctx: RunContext, settings: Settings) -> Iterator[dict[str, Any]]:
    """Time a stage, log its figures, and record them in ops.pipeline_runs."""
    figures: dict[str, Any] = {}
    started = time.perf_counter()
    log.info("stage %-18s started (run %s, as of %s)", name, ctx.run_id, ctx.as_of)
    runlog.claim(warehouse_url(settings), ctx.run_id)
    try:
        with peak_rss_mb() as memory:
            yield figures
        figures["peak_rss_mb"] = memory["peak_mb"]
    except Exception as exc:
        seconds = round(time.perf_counter() - started, 2)
        runlog.record_stage(warehouse_url(settings), ctx.run_id, name, "failed", seconds, {"error": str(exc)})
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if is_user_error(exc):  # the input is wrong: the message says what and where
            log.error("stage %-18s FAILED after %.1fs: %s", name, seconds, first)
        else:  # a bug or an outage: keep the traceback
            log.exception("stage %-18s FAILED after %.1fs: %s", name, seconds, first)
        raise
    seconds = round(time.perf_counter() - started, 2)
    figures["seconds"] = seconds
    runlog.record_stage(warehouse_url(settings), ctx.run_id, name, "ok", seconds, figures)
    shown = ", ".join(f"{k}={v}" for k, v in figures.items() if k != "seconds" and not isinstance(v, dict | list))
    log.info("stage %-18s done in %6.1fs  %s", name, seconds, shown)


def start_run(as_of: str | None, landing: str | None, settings: Settings | None = None) -> RunContext:
    """Resolve the run's as-of date and landing zone, make sure the warehouse exists, open the run log."""
    settings = settings or load_settings()
    as_of = as_of or (settings.as_of or local_today()).isoformat()
    date.fromisoformat(as_of)  # a bad date fails here, with the value in the message
    landing_dir = Path(landing) if landing else settings.landing
    if not landing_dir.is_dir():
        raise DataError(f"landing zone {landing_dir} does not exist (run `cvm demo-data` or pass --landing)")
    url = warehouse_url(settings)
    ensure_schemas(url)
    ctx = RunContext(run_id=new_run_id(as_of), as_of=as_of, landing=str(landing_dir.resolve()))
    runlog.start_run(url, ctx.run_id, ctx.as_of, ctx.landing)
    log.info(
        "run %s: as of %s, landing %s, warehouse %s",
        ctx.run_id,
        ctx.as_of,
        ctx.landing,
        "embedded" if settings.embedded else "external",
    )
    return ctx


def landing_systems(ctx: RunContext, settings: Settings | None = None) -> list[str]:
    """The source systems with deliveries in the landing zone (the DAG maps the ingest over them).

    An empty landing zone fails the run here, recorded as a failed ingest: the run is `failed` at once,
    not left `running` until the next run marks it abandoned."""
    from cvm.errors import DeliveryError
    from cvm.ingest.loader import find_deliveries

    try:
        deliveries = find_deliveries(Path(ctx.landing))
    except DeliveryError:
        with _stage("ingest", ctx, settings or load_settings()):
            raise
    return sorted({d.entity.system for d in deliveries})


def ingest(ctx: RunContext, settings: Settings | None = None, system: str | None = None) -> dict[str, Any]:
    """Load the new deliveries of the landing zone (of one source system, when given) into `raw`."""
    from cvm.ingest import ensure_raw_schema, load_landing

    settings = settings or load_settings()
    with _stage(f"ingest_{system}" if system else "ingest", ctx, settings) as figures:
        url = warehouse_url(settings)
        ensure_raw_schema(url)
        report = load_landing(url, Path(ctx.landing), [system] if system else None)
        figures.update(
            deliveries=len(report.deliveries),
            loaded=sum(1 for d in report.deliveries if d.status == "loaded"),
            skipped=sum(1 for d in report.deliveries if d.status == "skipped"),
            rows=sum(d.rows_loaded or 0 for d in report.deliveries),
            quarantined=sum(d.rows_quarantined or 0 for d in report.deliveries),
            load_ids=report.load_ids,
        )
        log.info("%s", report.summary())
        report.raise_for_rejections()
    return figures


def ingest_totals(ctx: RunContext, per_system: list[dict[str, Any]], settings: Settings | None = None) -> list[int]:
    """The figures of the per-system ingests summed into the run log's `ingest` stage; all their load ids."""
    settings = settings or load_settings()
    totals: dict[str, Any] = {
        k: sum(f.get(k, 0) for f in per_system)
        for k in ("deliveries", "loaded", "skipped", "rows", "quarantined", "seconds")
    }
    load_ids = sorted(i for f in per_system for i in f.get("load_ids", []))
    runlog.record_stage(
        warehouse_url(settings),
        ctx.run_id,
        "ingest",
        "ok",
        totals.pop("seconds"),
        {**totals, "systems": len(per_system), "load_ids": load_ids},
    )
    return load_ids


def raw_quality_gate(ctx: RunContext, load_ids: list[int], settings: Settings | None = None) -> dict[str, Any]:
    """This run's loads, plus every earlier delivery still blocked or unchecked (a re-run cannot forget it)."""
    settings = settings or load_settings()
    with _stage("raw_quality_gate", ctx, settings) as figures:
        from cvm.quality import check_raw

        result = check_raw(settings, warehouse_url(settings), load_ids)
        figures.update(
            warnings=len(result.warnings),
            failures=len(result.failures),
            checked_loads=len(result.checked_loads),
            flagged_values=result.flagged,
            data_docs=str(result.data_docs_path or ""),
        )
        if result.passed:
            log.info("%s", result.summary())
        result.raise_if_blocking()
    return figures


def _dbt(
    name: str,
    ctx: RunContext,
    commands: list[list[str]],
    settings: Settings | None,
    before: Callable[[Settings], None] | None = None,
) -> dict[str, Any]:
    from cvm.dbt import DbtError, run_dbt

    settings = settings or load_settings()
    with _stage(name, ctx, settings) as figures:
        if before:
            before(settings)
        url = warehouse_url(settings)
        nodes = 0
        for args in commands:
            try:
                summary = run_dbt(settings, url, args, vars=ctx.dbt_vars)
            except DbtError as exc:
                raise DataError(str(exc)) from exc
            nodes += len(getattr(summary, "nodes", []) or [])
        figures["nodes"] = nodes
    return figures


def dbt_prepare(ctx: RunContext, settings: Settings | None = None) -> dict[str, Any]:
    """Business configuration (seeds, validated first; reloaded whole so a marketer may add a column),
    staging and the party records that identity resolution reads."""
    return _dbt(
        "dbt_prepare",
        ctx,
        [["seed", "--full-refresh"], ["build", "--select", "tag:prepare"]],
        settings,
        before=_check_seeds,
    )


def _check_seeds(settings: Settings) -> None:
    from cvm.strategy.seeds import StrategySeedError, check_strategy_seeds

    try:
        check_strategy_seeds(settings.dbt_project_dir / "seeds")
    except StrategySeedError as exc:
        raise DataError(str(exc)) from exc


def identity(ctx: RunContext, settings: Settings | None = None) -> dict[str, Any]:
    from ml.linkage import run_linkage

    settings = settings or load_settings()
    with _stage("identity", ctx, settings) as figures:
        summary = run_linkage(warehouse_url(settings), ctx.run_id)
        figures.update(_public_figures(summary))
    return figures


def dbt_customers(ctx: RunContext, settings: Settings | None = None) -> dict[str, Any]:
    return _dbt("dbt_customers", ctx, [["build", "--select", "tag:customers"]], settings)


def models(ctx: RunContext, settings: Settings | None = None) -> dict[str, Any]:
    from ml.run import run_models

    settings = settings or load_settings()
    with _stage("models", ctx, settings) as figures:
        summary = run_models(warehouse_url(settings), ctx.as_of_date, ctx.run_id)
        figures.update(_public_figures(summary))
    return figures


def dbt_marts(ctx: RunContext, settings: Settings | None = None) -> dict[str, Any]:
    return _dbt("dbt_marts", ctx, [["build", "--select", "tag:marts"]], settings)


def marts_quality_gate(ctx: RunContext, settings: Settings | None = None) -> dict[str, Any]:
    from cvm.quality import check_marts

    settings = settings or load_settings()
    with _stage("marts_quality_gate", ctx, settings) as figures:
        result = check_marts(settings, warehouse_url(settings), schema="marts_next")
        figures.update(
            warnings=len(result.warnings), failures=len(result.failures), data_docs=str(result.data_docs_path or "")
        )
        result.raise_if_blocking()
    return figures


def publish(ctx: RunContext, settings: Settings | None = None) -> dict[str, Any]:
    from cvm.publish import publish_marts
    from cvm.quality.deliveries import require_all_passed

    settings = settings or load_settings()
    with _stage("publish", ctx, settings) as figures:
        url = warehouse_url(settings)
        require_all_passed(url)  # every delivery in scope has passed the raw gate (or was released)
        counts = publish_marts(url)
        figures.update(tables=len(counts), rows=sum(counts.values()))
        runlog.finish_run(url, ctx.run_id, "published", counts)
        figures.update(_retention(url, ctx.run_id, settings.keep_runs))
    return figures


def _retention(url: str, run_id: str, keep_runs: int) -> dict[str, Any]:
    """Prune the model rows of runs nothing reads any more (cvm.retention), after the run is published.

    Housekeeping, not part of the published figures: a failure is logged on one line and recorded, and
    the run stays published (the next run prunes again).
    """
    from cvm.retention import prune_runs

    try:
        summary = prune_runs(url, run_id, keep_runs)
    except Exception as exc:  # noqa: BLE001 - the marts are already published; the next run retries
        log.warning("retention skipped: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return {"retention_error": str(exc)[:200]}
    log.info("retention: kept %d runs, deleted %d per-run model rows", summary.kept_runs, summary.deleted)
    return {"retention_kept_runs": summary.kept_runs, "retention_deleted_rows": summary.deleted}


def _public_figures(summary: object) -> dict[str, Any]:
    """Scalar fields of a summary dataclass/object, for the run log."""
    data = asdict(summary) if hasattr(summary, "__dataclass_fields__") else dict(vars(summary))
    return {k: v for k, v in data.items() if isinstance(v, int | float | str) and not k.startswith("_")}


def run_all(
    as_of: str | None = None,
    landing: str | None = None,
    settings: Settings | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> RunContext:
    """All stages in order, without Airflow: for debugging a stage. `cvm run` goes through the DAG."""
    settings = settings or load_settings()
    ctx = start_run(as_of, landing, settings)
    try:
        loads = ingest(ctx, settings)
        raw_quality_gate(ctx, loads["load_ids"], settings)
        for stage in (dbt_prepare, identity, dbt_customers, models, dbt_marts, marts_quality_gate, publish):
            if on_stage:
                on_stage(stage.__name__)
            stage(ctx, settings)
    except Exception:
        runlog.finish_run(warehouse_url(settings), ctx.run_id, "failed", {})
        raise
    return ctx
