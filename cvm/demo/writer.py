"""Streaming CSV writers: one open file per delivery, rows routed by date, nothing kept in memory.

All delivery files of an entity are opened up front (with the contract header), so every entity has
its files even when a period has no rows, and a row is written the moment it is generated.
"""

from __future__ import annotations

import bisect
import csv
from datetime import date, timedelta
from pathlib import Path
from typing import IO

from cvm.contract import Entity

_BUFFER = 1 << 16  # ~100 files are open at once: keep their buffers small


def quarter_ends(start: date, end: date) -> list[date]:
    """Last day of every calendar quarter touching [start, end]; the last one clipped to end."""
    out: list[date] = []
    year, quarter = start.year, (start.month - 1) // 3
    while True:
        month = 3 * quarter + 3
        last = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)
        if last >= end:
            out.append(end)
            return out
        out.append(last)
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)


def month_end_before(day: date, months: int) -> date:
    """Last day of the month `months` months before the month of `day`."""
    index = day.year * 12 + day.month - 1 - months + 1
    return date(index // 12, index % 12 + 1, 1) - timedelta(days=1)


class CsvFile:
    """One delivery file: UTF-8, header row, '\\n' line ends, minimal quoting."""

    def __init__(self, path: Path, header: tuple[str, ...]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh: IO[str] = open(path, "w", encoding="utf-8", newline="", buffering=_BUFFER)  # noqa: SIM115
        self._writer = csv.writer(self._fh, lineterminator="\n")
        self._writer.writerow(header)
        self.width = len(header)
        self.rows = 0

    def write(self, row: list[str]) -> None:
        if len(row) != self.width:
            raise ValueError(f"{self.path.name}: {len(row)} values for {self.width} columns: {row}")
        self._writer.writerow(row)
        self.rows += 1

    def close(self) -> None:
        self._fh.close()


class EntityWriter:
    """The deliveries of one contract entity; `write(day, row)` picks the delivery covering `day`."""

    def __init__(self, landing: Path, entity: Entity, deliveries: list[tuple[date, str]]) -> None:
        """deliveries: (last day covered, delivery name), chronological; names sort chronologically."""
        self.entity = entity
        folder = landing / entity.system / entity.entity
        self._bounds = [d.toordinal() for d, _ in deliveries]
        self.files = {name: CsvFile(folder / f"{name}.csv", entity.columns) for _, name in deliveries}
        self._by_position = [self.files[name] for _, name in deliveries]

    def write(self, day: int, row: list[str]) -> None:
        pos = bisect.bisect_left(self._bounds, day)
        if pos == len(self._bounds):
            raise ValueError(f"{self.entity.path}: day {date.fromordinal(day)} after the last delivery")
        self._by_position[pos].write(row)

    def write_to(self, name: str, row: list[str]) -> None:
        self.files[name].write(row)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files.values())

    def close(self) -> None:
        for f in self.files.values():
            f.close()
