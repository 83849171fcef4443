"""Load every new delivery of the landing zone into `raw`, one transaction per delivery."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from psycopg import Connection

from cvm.ingest import audit
from cvm.ingest.config import source_options
from cvm.ingest.csvfile import load_csv
from cvm.ingest.discover import Delivery, FileFacts, discover, fingerprint
from cvm.ingest.errors import Rejected
from cvm.ingest.jsonl import load_jsonl
from cvm.ingest.parquetfile import load_parquet
from cvm.ingest.quarantine import write_quarantine
from cvm.ingest.report import DeliveryResult, LoadReport
from cvm.ingest.schema import create_raw_schema
from cvm.warehouse import connect

log = logging.getLogger("cvm.ingest")

_RUN_LOCK = "select pg_advisory_lock(hashtext('cvm.ingest.load_landing'))"
_RUN_UNLOCK = "select pg_advisory_unlock(hashtext('cvm.ingest.load_landing'))"


def _load_file(conn: Connection, delivery: Delivery, landing: Path, load_id: int, facts: FileFacts):  # noqa: ANN202
    """Dispatch on the format; returns (options used, rows read, rows loaded, bad rows)."""
    fmt = delivery.format
    if fmt in ("csv", "csv.gz"):
        opts = source_options(landing, delivery.entity.system, delivery.entity.entity)
        force_null = fmt == "csv.gz" or facts.quoted_empty
        options, read, loaded, bad = load_csv(conn, delivery, opts, load_id, force_null=force_null)
    elif fmt == "jsonl":
        options, read, loaded, bad = load_jsonl(conn, delivery, load_id)
    else:
        options, read, loaded, bad = load_parquet(conn, delivery, load_id)
    return {"format": fmt, **options}, read, loaded, bad


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
    except Rejected as exc:
        audit.finish_load(conn, load_id, status="rejected", error=str(exc))
        log.error("%s: rejected: %s", delivery.relative, exc)
        return DeliveryResult(**base, status="rejected", load_id=load_id, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - recorded in the audit and the report, never swallowed silently
        message = f"{delivery.relative}: {type(exc).__name__}: {str(exc).strip()}"
        if conn.closed:
            raise
        audit.finish_load(conn, load_id, status="failed", error=message)
        log.exception("%s: failed", delivery.relative)
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


def load_landing(url: str, landing: Path) -> LoadReport:
    """Load every delivery under `landing` that was not loaded before, in sorted path order."""
    report = LoadReport()
    deliveries = discover(Path(landing))
    with connect(url, autocommit=True) as conn:
        conn.execute("set temp_buffers = '256MB'")  # the stage table lives in local buffers
        conn.execute(_RUN_LOCK)  # one loader at a time: load id order = delivery order
        try:
            with conn.transaction():
                conn.execute("select pg_advisory_xact_lock(hashtext('cvm.ingest.schema'))")
                create_raw_schema(conn)
            for delivery in deliveries:
                report.deliveries.append(load_delivery(conn, delivery, Path(landing)))
        finally:
            if not conn.closed:
                conn.execute(_RUN_UNLOCK)
    skipped = sum(1 for d in report.deliveries if d.status == "skipped")
    if skipped:  # one line, not one per file: a daily run re-sees every earlier delivery
        log.info("%d of %d deliveries skipped: identical to a delivery loaded before", skipped, len(deliveries))
    return report
