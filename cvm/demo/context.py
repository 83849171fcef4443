"""What the per-system emitters share: the time window, the open writers, id sequences and truth."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from cvm.demo.writer import CsvFile, EntityWriter

TRUTH_COLUMNS = ("source_system", "source_entity", "source_record_id", "party_id", "customer_id", "party_kind")


@dataclass(frozen=True)
class Window:
    """History window (start .. end, inclusive) and the day of the full CRM/marketing snapshot."""

    start: date
    end: date
    snapshot: date

    @property
    def start_day(self) -> int:
        return self.start.toordinal()

    @property
    def end_day(self) -> int:
        return self.end.toordinal()

    @property
    def snapshot_day(self) -> int:
        return self.snapshot.toordinal()

    @property
    def full_name(self) -> str:
        return f"{self.snapshot.isoformat()}_full"

    @property
    def delta_name(self) -> str:
        return f"{self.end.isoformat()}_delta"


@lru_cache(maxsize=8192)
def iso_day(day: int) -> str:
    return date.fromordinal(day).isoformat()


def iso_time(day: int, seconds: int) -> str:
    """ISO-8601 local timestamp, second precision: 'YYYY-MM-DDTHH:MM:SS'."""
    return f"{iso_day(day)}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def office_seconds(rng: random.Random) -> int:
    """A moment during office hours (8:00-18:00)."""
    return rng.randrange(8 * 3600, 18 * 3600)


def poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw with the stdlib RNG (Knuth for small means, normal approximation above 30)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@dataclass
class Context:
    window: Window
    writers: dict[str, EntityWriter]
    truth: CsvFile
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    sequences: dict[str, int] = field(default_factory=dict)
    volume: float = 1.0  # opt-in multiplier of the high-volume streams (activities, campaign events)

    def next(self, name: str) -> int:
        """Next number of a per-system id sequence (1-based)."""
        value = self.sequences.get(name, 0) + 1
        self.sequences[name] = value
        return value

    def record(self, path: str, record_id: str, party_id: str, customer_id: str, kind: str) -> None:
        """Truth for one party record: which real party and customer it describes."""
        system, entity = path.split("/")
        self.truth.write([system, entity, record_id, party_id, customer_id, kind])

    def versioned(
        self, path: str, created: int, rows: tuple[list[str], list[str] | None], changed_day: int | None
    ) -> None:
        """Write a record to the full snapshot and/or the delta.

        Created on or before the snapshot day: the first row goes to the full snapshot, and the second
        (changed) row, if any, is re-delivered in the delta. Created later: only the delta, with the
        latest version.
        """
        writer = self.writers[path]
        first, changed = rows
        if created <= self.window.snapshot_day:
            writer.write_to(self.window.full_name, first)
            if changed is not None and changed_day is not None:
                writer.write_to(self.window.delta_name, changed)
        else:
            writer.write_to(self.window.delta_name, changed if changed is not None else first)
