"""Load every new delivery of the landing zone into `raw`, one transaction per delivery."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from pathlib import Path

from psycopg import Connection, sql

from cvm.errors import ConfigError, DeliveryError, debug
from cvm.ingest import audit
from cvm.ingest.config import source_options
from cvm.ingest.csvfile import load_csv
from cvm.ingest.discover import Delivery, FileFacts, discover, fingerprint
from cvm.ingest.errors import Rejected
from cvm.ingest.jsonl import load_jsonl
from cvm.ingest.parquetfile import load_parquet
from cvm.ingest.quarantine import printable, write_quarantine
from cvm.ingest.report import DeliveryResult, LoadReport
from cvm.ingest.schema import create_raw_schema, raw_table
from cvm.warehouse import connect

log = logging.getLogger("cvm.ingest")

# One loader per source system at a time (load id order = delivery order within an entity); different
# systems load in parallel (the DAG maps the ingest over the systems present).
_RUN_LOCK = "select pg_advisory_lock(hashtext('cvm.ingest.load_landing:' || %s))"
_RUN_UNLOCK = "select pg_advisory_unlock(hashtext('cvm.ingest.load_landing:' || %s))"


def _load_file(conn: Connection, delivery: Delivery, landing: Path, load_id: int, facts: FileFacts):  # noqa: ANN202
    """Dispatch on the format; returns (options used, rows read, rows loaded, bad rows)."""
    fmt = delivery.format
    opts = source_options(landing, delivery.entity.system, delivery.entity.entity)
    mode = {"mode": opts.mode or "incremental"}  # recorded with the load: staging ends what a snapshot lacks
    if fmt in ("csv", "csv.gz"):
        force_null = fmt == "csv.gz" or facts.quoted_empty
        options, read, loaded, bad = load_csv(conn, delivery, opts, load_id, force_null=force_null)
    elif fmt == "jsonl":
        options, read, loaded, bad = load_jsonl(conn, delivery, load_id)
    else:
        options, read, loaded, bad = load_parquet(conn, delivery, load_id)
    return {"format": fmt, **mode, **options}, read, loaded, bad


def load_delivery(conn: Connection, delivery: Delivery, landing: Path) -> DeliveryResult:
    """Load one delivery exactly once; `conn` is in autocommit mode (the audit row commits on its own)."""
    e = delivery.entity
    started = time.perf_counter()
    facts = fingerprint(delivery.path)
    sha, size = facts.sha256, facts.bytes
    base = {"system": e.system, "entity": e.entity, "path": delivery.relative, "bytes": size}
    earlier = audit.previous_load(conn, e.system, e.entity, sha)
    if earlier:
        reason = f"{delivery.relative}: identical to load {earlier[0]} ({earlier[1]}), skipped"
        load_id = audit.record_skipped(conn, e.system, e.entity, delivery.relative, sha, size, reason)
        log.debug("%s: skipped, identical to load %d (%s)", delivery.relative, *earlier)
        return DeliveryResult(**base, status="skipped", load_id=load_id, error=reason)
    corrected = audit.loaded_under_path(conn, e.system, e.entity, delivery.relative)
    load_id = audit.start_load(conn, e.system, e.entity, delivery.relative, sha, size)
    try:
        with conn.transaction():
            options, read, loaded, bad = _load_file(conn, delivery, landing, load_id, facts)
            write_quarantine(conn, load_id, e.system, e.entity, delivery.relative, bad)
            audit.finish_load(
                conn,
                load_id,
                status="loaded",
                rows_read=read,
                rows_loaded=loaded,
                rows_quarantined=len(bad),
                options=options,
            )
            _replace(conn, delivery, corrected, load_id)
    except (Rejected, ConfigError) as exc:  # the delivery or its _source.yml must be fixed
        message = printable(str(exc))
        audit.finish_load(conn, load_id, status="rejected", error=message)
        log.error("%s: rejected: %s", delivery.relative, message)
        return DeliveryResult(**base, status="rejected", load_id=load_id, error=message)
    except Exception as exc:  # noqa: BLE001 - recorded in the audit and the report, never swallowed silently
        detail = printable(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
        message = f"{delivery.relative}: {type(exc).__name__}: {detail}"
        if conn.closed:
            raise
        audit.finish_load(conn, load_id, status="failed", error=message)
        log.error("%s: failed: %s", delivery.relative, message, exc_info=debug())
        return DeliveryResult(**base, status="failed", load_id=load_id, error=message)
    seconds = time.perf_counter() - started
    for row in bad[:5]:
        log.warning("%s", row.reason)
    log.info(
        "%s: load %d: %d rows loaded, %d quarantined, %.1f MB in %.2fs (%.0f rows/s)",
        delivery.relative,
        load_id,
        loaded,
        len(bad),
        size / 1e6,
        seconds,
        read / seconds if seconds else 0,
    )
    return DeliveryResult(
        **base,
        status="loaded",
        rows_loaded=loaded,
        rows_quarantined=len(bad),
        load_id=load_id,
        rows_read=read,
        seconds=seconds,
    )


def _replace(conn: Connection, delivery: Delivery, corrected: list[tuple[int, int]], load_id: int) -> None:
    """A changed file under a known name corrects that delivery: its earlier rows give way to the new ones."""
    for old_id, rows in corrected:
        conn.execute(sql.SQL("delete from {} where _load_id = %s").format(raw_table(delivery.entity)), (old_id,))
        audit.mark_replaced(conn, old_id, load_id, delivery.relative)
        log.warning(
            "%s: changed since load %d: treated as a correction, its %d rows replaced by load %d",
            delivery.relative,
            old_id,
            rows,
            load_id,
        )


def find_deliveries(landing: Path) -> list[Delivery]:
    """Every delivery file under `landing`. A landing zone without a single one is an error (a wrong path, a
    transfer that did not arrive), not a run on zero rows."""
    deliveries = discover(Path(landing))
    if not deliveries:
        raise DeliveryError(
            f"no deliveries under {landing} (expected <system>/<entity>/<file>.csv|.csv.gz|"
            ".jsonl|.parquet, e.g. finance/invoices/2026-10-31.csv)"
        )
    return deliveries


def load_landing(url: str, landing: Path, systems: Collection[str] | None = None) -> LoadReport:
    """Load every delivery under `landing` (of `systems`, when given) not loaded before, in sorted path order."""
    report = LoadReport()
    deliveries = [d for d in find_deliveries(landing) if systems is None or d.entity.system in systems]
    locked = sorted({d.entity.system for d in deliveries})  # sorted: two loaders never wait on each other
    with connect(url, autocommit=True) as conn:
        conn.execute("set temp_buffers = '256MB'")  # the stage table lives in local buffers
        for system in locked:
            conn.execute(_RUN_LOCK, (system,))
        try:
            with conn.transaction():
                conn.execute("select pg_advisory_xact_lock(hashtext('cvm.ingest.schema'))")
                create_raw_schema(conn)
            for delivery in deliveries:
                report.deliveries.append(load_delivery(conn, delivery, Path(landing)))
        finally:
            if not conn.closed:
                for system in locked:
                    conn.execute(_RUN_UNLOCK, (system,))
    skipped = sum(1 for d in report.deliveries if d.status == "skipped")
    if skipped:  # one line, not one per file: a daily run re-sees every earlier delivery
        log.info("%d of %d deliveries skipped: identical to a delivery loaded before", skipped, len(deliveries))
    return report
