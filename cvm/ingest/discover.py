"""Find deliveries in the landing zone: `<landing>/<system>/<entity>/<delivery-name>.<ext>`.

Deliveries are returned in sorted path order, so the order of load ids follows the order of deliveries
(staging resolves the latest version of a record by load id).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from cvm.contract import BY_PATH, LANDING_EXTENSIONS, Entity

log = logging.getLogger("cvm.ingest")


@dataclass(frozen=True)
class Delivery:
    entity: Entity
    path: Path  # absolute
    relative: str  # `<system>/<entity>/<file>`, as recorded in the audit and in `_source_file`

    @property
    def format(self) -> str:
        return file_format(self.path)


def file_format(path: Path) -> str:
    """`csv`, `csv.gz`, `jsonl` or `parquet` (the longest matching contract extension)."""
    name = path.name.lower()
    for ext in sorted(LANDING_EXTENSIONS, key=len, reverse=True):
        if name.endswith(ext):
            return ext.lstrip(".")
    raise ValueError(f"{path}: not a landing format ({', '.join(LANDING_EXTENSIONS)})")


def discover(landing: Path) -> list[Delivery]:
    """All delivery files under `landing`; files of unknown entities or formats are logged and ignored."""
    landing = Path(landing)
    found: list[Delivery] = []
    if not landing.is_dir():
        log.warning("landing zone %s does not exist: nothing to load", landing)
        return found
    for path in sorted(p for p in landing.rglob("*") if p.is_file()):
        rel = path.relative_to(landing)
        if rel.name.startswith((".", "_")):
            continue  # _source.yml, editor and transfer temp files
        parts = rel.parts
        entity = BY_PATH.get("/".join(parts[:2])) if len(parts) == 3 else None
        if entity is None:
            log.warning("ignoring %s: not <system>/<entity>/<file> of a contract entity", rel)
            continue
        try:
            file_format(path)
        except ValueError:
            log.warning("ignoring %s: extension not one of %s", rel, ", ".join(LANDING_EXTENSIONS))
            continue
        found.append(Delivery(entity, path, rel.as_posix()))
    return found


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    bytes: int
    quoted_empty: bool  # the raw bytes contain `""` (a quoted empty field, or an escaped quote)


def fingerprint(path: Path) -> FileFacts:
    """Content hash and size (a re-delivered identical file is recognised whatever its name).

    The same pass notes whether `""` occurs at all: without it no field can be a quoted empty string,
    so the CSV fast path can skip COPY's per-field FORCE_NULL check (measurably cheaper on big files).
    """
    digest = hashlib.sha256()
    size = 0
    quoted_empty = False
    last = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            quoted_empty = quoted_empty or b'""' in chunk or (last + chunk[:1]) == b'""'
            last = chunk[-1:]
    return FileFacts(digest.hexdigest(), size, quoted_empty)
