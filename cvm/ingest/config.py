"""Per-source options from the optional `<landing>/<system>/_source.yml` (see `cvm.ingest` docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from cvm.errors import ConfigError  # a ValueError too

_KEYS = ("encoding", "delimiter", "decimal_separator", "mode")
MODES = ("incremental", "snapshot")


@dataclass(frozen=True)
class SourceOptions:
    """Configured options; None means auto-detect."""

    encoding: str | None = None
    delimiter: str | None = None
    decimal_separator: str | None = None
    mode: str | None = None  # incremental (default): a delivery adds and updates records; snapshot: complete set


def _validated(values: dict, where: str) -> SourceOptions:
    unknown = set(values) - set(_KEYS) - {"entities"}
    if unknown:
        known = ", ".join(_KEYS)
        raise ConfigError(f"{where}: unknown option(s) {', '.join(sorted(unknown))}; known: {known}")
    opts = SourceOptions(**{k: (str(values[k]) if values.get(k) is not None else None) for k in _KEYS})
    if opts.delimiter is not None and len(opts.delimiter) != 1:
        raise ConfigError(f"{where}: delimiter must be one character, got {opts.delimiter!r}")
    if opts.decimal_separator not in (None, ".", ","):
        raise ConfigError(f"{where}: decimal_separator must be '.' or ',', got {opts.decimal_separator!r}")
    if opts.mode not in (None, *MODES):
        raise ConfigError(f"{where}: mode must be one of {', '.join(MODES)}, got {opts.mode!r}")
    if opts.encoding is not None:
        import codecs

        codecs.lookup(opts.encoding)  # LookupError names the bad encoding
    return opts


def source_options(landing: Path, system: str, entity: str) -> SourceOptions:
    """Options for one entity: the system-wide ones overlaid with `entities: {<entity>: {...}}`."""
    path = Path(landing) / system / "_source.yml"
    if not path.exists():
        return SourceOptions()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping")
    base = _validated(data, str(path))
    override = (data.get("entities") or {}).get(entity) or {}
    over = _validated(override, f"{path} entities.{entity}")
    return SourceOptions(**{k: getattr(over, k) or getattr(base, k) for k in _KEYS})
