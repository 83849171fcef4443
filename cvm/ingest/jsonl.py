"""JSON-lines deliveries: one object per line, values kept as their literal text.

Numbers keep their delivered spelling (`parse_int`/`parse_float` return the literal), booleans become
`true`/`false`, nested values their JSON text. A line that is not a JSON object is quarantined. JSONL has
no header, so a required column is "missing" when no record of the delivery carries the key.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from psycopg import Connection, sql

from cvm.ingest.discover import Delivery
from cvm.ingest.errors import Rejected
from cvm.ingest.quarantine import BadRow
from cvm.ingest.stage import STAGE, StageLayout, create_stage, publish_stage


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _open(path: Path):  # noqa: ANN202
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def load_jsonl(conn: Connection, delivery: Delivery, load_id: int) -> tuple[dict, int, int, list[BadRow]]:
    entity = delivery.entity
    rel = delivery.relative
    columns = tuple(f"c{i + 1}" for i in range(len(entity.columns)))
    layout = StageLayout(
        columns + ("x_extra",), dict(zip(entity.columns, columns, strict=True)), extra_json="x_extra", force_null=False
    )
    create_stage(conn, layout)
    index = {c: i for i, c in enumerate(entity.columns)}
    seen: set[str] = set()
    bad: list[BadRow] = []
    read = staged = 0
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in ("_rn", *layout.columns))
    with (
        _open(delivery.path) as fh,
        conn.cursor() as cur,
        cur.copy(sql.SQL("copy {} ({}) from stdin").format(STAGE, cols)) as copy,
    ):
        for line in fh:
            if not line.strip():
                continue
            read += 1
            raw = line.decode("utf-8", "surrogateescape").rstrip("\r\n")
            try:
                obj = json.loads(line.decode("utf-8"), parse_int=str, parse_float=str)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                bad.append(BadRow(read, raw, f"{rel} row {read}: not valid JSON ({exc})"))
                continue
            if not isinstance(obj, dict):
                reason = f"{rel} row {read}: expected a JSON object, got {type(obj).__name__}"
                bad.append(BadRow(read, raw, reason))
                continue
            values: list[str | None] = [None] * len(entity.columns)
            extra: dict[str, object] = {}
            for key, value in obj.items():
                name = key.strip().lower()
                if name in index:
                    values[index[name]] = _text(value)
                    seen.add(name)
                else:
                    extra[key] = value
            if any("\x00" in v for v in values if v):
                bad.append(BadRow(read, raw, f"{rel} row {read}: NUL character in a value"))
                continue
            copy.write_row((read, *values, json.dumps(extra, ensure_ascii=False) if extra else None))
            staged += 1
    missing = [c for c in entity.required if c not in seen]
    if missing and read:
        raise Rejected(f"{rel}: missing required column(s) {', '.join(missing)} (no record has the key)")
    if read == 0 and not delivery.path.stat().st_size:
        raise Rejected(f"{rel}: empty file (0 bytes)")
    loaded = publish_stage(conn, entity, layout, load_id, rel)
    return {"encoding": "utf-8", "decimal_separator": "."}, read, loaded, bad
