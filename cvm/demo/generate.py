"""Orchestration: build customers chunk by chunk and let each source system write what it knows.

Memory stays bounded: one chunk of customers lives at a time, every row goes straight into an open
delivery file, and the only global state is a handful of counters.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from cvm.contract import BY_PATH, ENTITIES
from cvm.demo import crm, finance, marketing, service
from cvm.demo.context import TRUTH_COLUMNS, Context, Window, iso_day
from cvm.demo.people import WorldBuilder
from cvm.demo.writer import CsvFile, EntityWriter, month_end_before, quarter_ends

log = logging.getLogger("cvm.demo")

CHUNK_SIZE = 1000
HISTORY_YEARS = 3
SNAPSHOT_ENTITIES = ("crm/accounts", "crm/contacts", "marketing/subscribers")
CUSTOMER_COLUMNS = (
    "customer_id",
    "customer_type",
    "purchase_rate_per_year",
    "dropout_probability",
    "mean_spend",
    "acquired_at",
    "dropped_out_at",
    "invoices",
    "persons",
    "contact_intensity",
)


@dataclass(frozen=True)
class GenerateSummary:
    """What was written: row counts and delivery files per `system/entity`, and the truth files."""

    out: Path
    seed: int
    customers: int
    end_date: date
    counts: dict[str, int]
    files: dict[str, list[Path]]
    truth_records: Path
    truth_customers: Path
    manifest: Path
    seconds: float = field(default=0.0, compare=False)

    @property
    def landing(self) -> Path:
        return self.out / "landing"


def history_window(end_date: date) -> Window:
    try:
        start = end_date.replace(year=end_date.year - HISTORY_YEARS) + timedelta(days=1)
    except ValueError:  # 29 February
        start = end_date.replace(year=end_date.year - HISTORY_YEARS, day=28) + timedelta(days=1)
    return Window(start=start, end=end_date, snapshot=month_end_before(end_date, 2))


def _open_writers(landing: Path, window: Window) -> dict[str, EntityWriter]:
    periods = [(d, d.isoformat()) for d in quarter_ends(window.start, window.end)]
    versioned = [(window.snapshot, window.full_name), (window.end, window.delta_name)]
    return {e.path: EntityWriter(landing, e, versioned if e.path in SNAPSHOT_ENTITIES else periods) for e in ENTITIES}


def _clear_previous(out: Path) -> None:
    """Remove earlier generated deliveries and truth so a re-run leaves exactly this run's files."""
    for entity in ENTITIES:
        folder = out / "landing" / entity.system / entity.entity
        if folder.is_dir():
            for old in folder.glob("*.csv"):
                old.unlink()
    for name in ("records.csv", "customers.csv", "manifest.json"):
        (out / "truth" / name).unlink(missing_ok=True)


def generate(
    out: Path, customers: int, seed: int, end_date: date = date(2026, 10, 31), volume: float = 1.0
) -> GenerateSummary:
    """Write landing deliveries for all contract entities plus the truth behind them.

    Same arguments give byte-identical files; every random draw comes from generators seeded with
    (seed, chunk number), never from global state or the clock. `volume` (opt-in, for benchmarks) multiplies
    the CRM activities and the campaigns, and so the marketing events; at 1 the output is the default one.
    """
    if customers < 1:
        raise ValueError("customers must be at least 1")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    if not volume >= 1:
        raise ValueError("volume must be at least 1")
    out = Path(out)
    started = time.monotonic()
    window = history_window(end_date)
    _clear_previous(out)
    writers = _open_writers(out / "landing", window)
    truth_dir = out / "truth"
    records = CsvFile(truth_dir / "records.csv", TRUTH_COLUMNS)
    truth_customers = CsvFile(truth_dir / "customers.csv", CUSTOMER_COLUMNS)
    ctx = Context(window=window, writers=writers, truth=records, volume=volume)
    world = WorldBuilder(seed, window.start, window.end, customers)
    campaigns, campaign_days = marketing.campaign_calendar(seed, window.start, window.end, volume)
    log.info("generating %d customers (seed %d, %s .. %s) into %s", customers, seed, window.start, window.end, out)
    step = max(CHUNK_SIZE, min(100_000, customers // 10))
    next_report = step
    try:
        for chunk, first in enumerate(range(0, customers, CHUNK_SIZE)):
            size = min(CHUNK_SIZE, customers - first)
            gen = np.random.default_rng([seed, chunk])
            ctx.rng = random.Random(f"cvm-demo:{seed}:{chunk}")
            for cust in world.build_chunk(first, size, gen, ctx.rng):
                crm.emit(ctx, cust)
                finance.emit(ctx, cust)
                marketing.emit(ctx, cust, campaigns, campaign_days)
                service.emit(ctx, cust)
                truth_customers.write(
                    [
                        cust.customer_id,
                        cust.kind,
                        f"{cust.rate:.4f}",
                        f"{cust.dropout:.4f}",
                        f"{cust.mean_spend:.2f}",
                        iso_day(cust.acquired),
                        "" if cust.dropped_at is None else iso_day(cust.dropped_at),
                        str(len(cust.purchases)),
                        str(len(cust.persons)),
                        f"{cust.intensity:.3f}",
                    ]
                )
            done = first + size
            if done >= next_report or done == customers:
                log.info(
                    "%d/%d customers (%.0f%%), %d invoices, %d events, %.1fs",
                    done,
                    customers,
                    100.0 * done / customers,
                    writers["finance/invoices"].rows,
                    writers["marketing/events"].rows,
                    time.monotonic() - started,
                )
                next_report += step
    finally:
        for writer in writers.values():
            writer.close()
        records.close()
        truth_customers.close()

    counts = {path: w.rows for path, w in writers.items()}
    files = {path: [f.path for f in w.files.values()] for path, w in writers.items()}
    manifest = truth_dir / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "seed": seed,
                "customers": customers,
                **({"volume": volume} if volume != 1 else {}),
                "end_date": end_date.isoformat(),
                "start_date": window.start.isoformat(),
                "snapshot_date": window.snapshot.isoformat(),
                "counts": counts,
                "truth_records": records.rows,
                "files": {
                    path: {f.path.relative_to(out).as_posix(): f.rows for f in w.files.values()}
                    for path, w in writers.items()
                },
            },
            indent=2,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    seconds = time.monotonic() - started
    log.info(
        "done: %d customers, %d rows, %d truth records in %.1fs", customers, sum(counts.values()), records.rows, seconds
    )
    assert set(counts) == set(BY_PATH)
    return GenerateSummary(
        out=out,
        seed=seed,
        customers=customers,
        end_date=end_date,
        counts=counts,
        files=files,
        truth_records=records.path,
        truth_customers=truth_customers.path,
        manifest=manifest,
        seconds=seconds,
    )
