"""CSV deliveries (.csv, .csv.gz): a fast COPY path and a validating fallback that quarantines bad rows.

Fast path: the file's bytes after the header go unchanged into `COPY _stage FROM STDIN (FORMAT csv)`;
PostgreSQL parses and transcodes (ENCODING) in C, so the loader runs near `psql \\copy` speed with
constant memory. If PostgreSQL rejects the data (wrong field count, broken quoting, bytes invalid in
the encoding) the savepoint is rolled back and the file is read again with Python's csv module, which
checks every record and sends the bad ones to the quarantine; only damaged files pay for that.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import gzip
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import psycopg
from psycopg import Connection, sql

from cvm.ingest import dialect
from cvm.ingest.config import SourceOptions
from cvm.ingest.discover import Delivery
from cvm.ingest.errors import Rejected
from cvm.ingest.quarantine import BadRow
from cvm.ingest.stage import STAGE, StageLayout, begin_direct, create_stage, publish_stage, target_columns

log = logging.getLogger("cvm.ingest")

CHUNK = 1 << 20
csv.field_size_limit(1 << 30)  # fields of many MB are legitimate (notes, HTML mail bodies)


@dataclass(frozen=True)
class CsvPlan:
    """Everything decided before reading the body: dialect, header and where the body starts."""

    encoding: str
    encoding_source: str  # configured | detected
    bom: bool
    delimiter: str
    decimal_separator: str
    header: tuple[str, ...]
    body_offset: int  # bytes (decompressed) before the first data record
    newline: bytes = b"\n"  # the header's record terminator; COPY insists every record uses the same one
    skip: int = 0  # BOM bytes before the transcoded text
    name: str = ""  # the delivery, for messages
    transcode: str | None = None  # UTF-16 files are read as UTF-8 through `Utf8Stream`; this is their codec

    def options(self) -> dict[str, object]:
        return {
            "encoding": self.transcode or self.encoding,
            "encoding_source": self.encoding_source,
            "bom": self.bom,
            "delimiter": self.delimiter,
            "decimal_separator": self.decimal_separator,
        }


class Utf8Stream(io.RawIOBase):
    """A UTF-16 file read as UTF-8 bytes (BOM dropped), so every later step sees an ordinary UTF-8 CSV.

    Bytes that are not valid in the codec (an odd length, a lone surrogate) reject the whole delivery with
    one line naming the file and the offset: a UTF-16 file with broken bytes cannot be cut into rows.
    """

    def __init__(self, raw: BinaryIO, codec: str, skip: int, name: str) -> None:
        super().__init__()
        self._raw, self._codec, self._name = raw, codec, name
        self._decoder = codecs.getincrementaldecoder(codec)(errors="strict")
        self._buffer, self._eof, self._offset = b"", False, skip
        raw.read(skip)

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:  # noqa: ANN001 - a writable buffer
        while not self._buffer and not self._eof:
            chunk = self._raw.read(CHUNK)
            start = self._offset - len(self._decoder.getstate()[0])  # file offset of the bytes being decoded
            try:
                text = self._decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise Rejected(
                    f"{self._name}: not valid {self._codec} at byte {start + exc.start} "
                    f"({exc.reason}); re-export the file as UTF-8 or UTF-16 with a BOM"
                ) from None
            self._offset += len(chunk)
            self._eof = not chunk
            self._buffer = text.encode("utf-8")
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_binary(path: Path, transcode: tuple[str, int, str] | None = None) -> BinaryIO:
    """The file's (decompressed) bytes; `transcode` = (codec, BOM length, name) reads UTF-16 as UTF-8."""
    gz = path.name.lower().endswith(".gz")
    fh: BinaryIO = gzip.open(path, "rb") if gz else path.open("rb")  # type: ignore[assignment]  # noqa: SIM115
    if transcode is None:
        return fh
    return io.BufferedReader(Utf8Stream(fh, *transcode), buffer_size=CHUNK)  # type: ignore[return-value]


def _open_body(path: Path, plan: CsvPlan) -> BinaryIO:
    return open_binary(path, (plan.transcode, plan.skip, plan.name or path.name) if plan.transcode else None)


def plan_csv(delivery: Delivery, opts: SourceOptions) -> CsvPlan:
    """Detect (or take the configured) encoding, delimiter and decimal separator; read the header."""
    with open_binary(delivery.path) as fh:
        sample = fh.read(dialect.SAMPLE_BYTES)
        complete = not fh.read(1)
    if not sample:
        raise Rejected(f"{delivery.relative}: empty file (0 bytes), no header row")
    utf16 = dialect.detect_utf16(sample)
    configured = dialect.canonical_encoding(opts.encoding) if opts.encoding else None
    if configured in ("utf-16", "utf-16-le", "utf-16-be") or (utf16 and not configured):
        codec, skip = utf16 or (configured, 0)
        if codec == "utf-16":  # configured without byte order and no BOM: the Windows default
            codec = "utf-16-le"
        transcode = (codec, skip, delivery.relative)
        with open_binary(delivery.path, transcode) as fh:
            sample = fh.read(dialect.SAMPLE_BYTES)
            complete = not fh.read(1)
        plan = _plan_sample(delivery, dataclasses.replace(opts, encoding=None), sample, complete)
        return dataclasses.replace(
            plan,
            transcode=codec,
            skip=skip,
            bom=skip > 0,
            name=delivery.relative,
            encoding_source="configured" if configured else "detected",
        )
    return _plan_sample(delivery, opts, sample, complete)


def _plan_sample(delivery: Delivery, opts: SourceOptions, sample: bytes, complete: bool) -> CsvPlan:
    bom = sample.startswith(codecs.BOM_UTF8)
    if opts.encoding:
        encoding, source = dialect.canonical_encoding(opts.encoding), "configured"
    else:
        encoding, source = dialect.detect_encoding(sample, complete=complete)
        encoding, source = dialect.canonical_encoding(encoding), "detected"
    start = len(codecs.BOM_UTF8) if bom and encoding == "utf-8" else 0
    end = dialect.header_end(sample[start:])
    if end is None:
        if not complete:
            raise Rejected(
                f"{delivery.relative}: no end of the header row in the first {dialect.SAMPLE_BYTES // (1 << 20)} MB"
            )
        end = len(sample) - start
    header_text = sample[start : start + end].decode(encoding, errors="replace")
    delimiter = opts.delimiter or dialect.sniff_delimiter(header_text)
    header = tuple(dialect.parse_header(header_text, delimiter))
    decimal = opts.decimal_separator
    if decimal is None:
        names = [h.strip().lower() for h in header]
        amounts = [names.index(c) for c in dialect.AMOUNT_COLUMNS.get(delivery.entity.name, ()) if c in names]
        records = dialect.sample_records(sample[start + end :], encoding, delimiter) if amounts else []
        decimal = dialect.detect_decimal_separator(records, amounts)
    newline = b"\r\n" if sample[: start + end].endswith(b"\r\n") else b"\n"  # Windows exports use CRLF
    return CsvPlan(encoding, source, bom, delimiter, decimal, header, start + end, newline)


def layout_for(delivery: Delivery, header: tuple[str, ...] | list[str], *, force_null: bool = True) -> StageLayout:
    """Map delivered headers to contract columns (trimmed, case-insensitive); reject missing required ones."""
    entity = delivery.entity
    known = set(entity.columns)
    columns = tuple(f"c{i + 1}" for i in range(len(header)))
    mapping: dict[str, str] = {}
    extras: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for i, raw_name in enumerate(header):
        if "\x00" in raw_name:
            raise Rejected(f"{delivery.relative}: NUL bytes in the header (column {i + 1}): not a text CSV export")
        name = raw_name.strip().lower()
        key = raw_name.strip() or f"column_{i + 1}"
        seen[key.lower()] = seen.get(key.lower(), 0) + 1
        if seen[key.lower()] > 1:
            raise Rejected(f"{delivery.relative}: duplicate column {key!r} in the header")
        if name in known:
            mapping[name] = columns[i]
        else:
            extras.append((key, columns[i]))
    missing = [c for c in entity.required if c not in mapping]
    if missing:
        raise Rejected(
            f"{delivery.relative}: missing required column(s) {', '.join(missing)} "
            f"(header has: {', '.join(h.strip() for h in header) or 'nothing'})"
        )
    return StageLayout(columns, mapping, tuple(extras), force_null=force_null)


def _body_chunks(path: Path, plan: CsvPlan) -> Iterator[bytes]:
    """The body's bytes in 1 MB chunks; trailing blank lines dropped (COPY would call them short rows)."""
    with _open_body(path, plan) as fh:
        fh.read(plan.body_offset)
        held = b""  # trailing line breaks of what was read so far: blank lines at the end, or not
        wrote = False
        while chunk := fh.read(CHUNK):
            data = held + chunk
            body = data.rstrip(b"\r\n")
            held = data[len(body) :]
            if body:
                wrote = True
                yield body
        if wrote:
            yield plan.newline  # the last record ends like the header does


def _utf8_chunks(chunks: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    for chunk in chunks:
        yield decoder.decode(chunk).encode("utf-8")
    yield decoder.decode(b"", final=True).encode("utf-8")


def copy_fast(
    conn: Connection, table: sql.Composable, columns: list[str], plan: CsvPlan, path: Path, *, force_null: bool = True
) -> int:
    """COPY the body unchanged into `table`; raises psycopg DataError on any malformed data.

    Unquoted empty fields are NULL in COPY's CSV format; `force_null` makes quoted ones (`""`) NULL too.
    """
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    pg_enc = dialect.pg_encoding(plan.encoding)
    chunks = _body_chunks(path, plan)
    if pg_enc is None:
        chunks, pg_enc = _utf8_chunks(chunks, plan.encoding), "UTF8"
    forced = sql.SQL(", force_null ({})").format(cols) if force_null else sql.SQL("")
    query = sql.SQL("copy {table} ({cols}) from stdin (format csv, delimiter {delim}, encoding {enc}{forced})").format(
        table=table, cols=cols, delim=sql.Literal(plan.delimiter), enc=sql.Literal(pg_enc), forced=forced
    )
    with conn.cursor() as cur:
        try:
            with cur.copy(query) as copy:
                for chunk in chunks:
                    copy.write(chunk)
        except UnicodeDecodeError as exc:  # Python transcoding: treat like PostgreSQL's encoding error
            raise psycopg.errors.CharacterNotInRepertoire(str(exc)) from exc
        return cur.rowcount


def _records(path: Path, plan: CsvPlan) -> Iterator[tuple[list[str] | None, str, str | None]]:
    """(fields, raw text, csv error) per record; undecodable bytes survive as surrogate escapes."""
    with _open_body(path, plan) as fh:
        fh.read(plan.body_offset)
        text = io.TextIOWrapper(fh, encoding=plan.encoding, errors="surrogateescape", newline="")
        captured: list[str] = []

        def lines() -> Iterator[str]:
            for line in text:
                captured.append(line)
                yield line

        reader = csv.reader(lines(), delimiter=plan.delimiter, strict=True)
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raw, captured[:] = "".join(captured), []
                yield None, raw, str(exc)
                continue
            raw, captured[:] = "".join(captured), []
            yield fields, raw, None


def _bad_value(fields: list[str]) -> int | None:
    """Index of the first field with undecodable bytes or NUL (PostgreSQL text cannot hold either)."""
    for i, value in enumerate(fields):
        if "\x00" in value:
            return i
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return i
    return None


def copy_validated(
    conn: Connection, delivery: Delivery, plan: CsvPlan, layout: StageLayout
) -> tuple[int, int, list[BadRow]]:
    """Parse every record in Python; COPY the good ones, return (rows read, rows staged, bad rows)."""
    expected = len(layout.columns)
    rel = delivery.relative
    bad: list[BadRow] = []
    read = staged = 0
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in ("_rn", *layout.columns))
    with conn.cursor() as cur, cur.copy(sql.SQL("copy {} ({}) from stdin").format(STAGE, cols)) as copy:
        for fields, raw, error in _records(delivery.path, plan):
            if fields == [] and not error:
                continue  # blank line: not a record
            read += 1
            if error is not None:
                bad.append(BadRow(read, raw, f"{rel} row {read}: broken quoting ({error})"))
                continue
            assert fields is not None
            if len(fields) != expected:
                reason = f"{rel} row {read}: expected {expected} fields, got {len(fields)}"
                bad.append(BadRow(read, raw, reason))
                continue
            idx = _bad_value(fields)
            if idx is not None:
                what = "NUL byte" if "\x00" in fields[idx] else f"bytes that are not valid {plan.encoding}"
                bad.append(BadRow(read, raw, f"{rel} row {read} column {plan.header[idx].strip()}: {what}"))
                continue
            copy.write_row((read, *[v if v != "" else None for v in fields]))
            staged += 1
    return read, staged, bad


def load_csv(
    conn: Connection, delivery: Delivery, opts: SourceOptions, load_id: int, *, force_null: bool = True
) -> tuple[dict, int, int, list[BadRow]]:
    """Load one CSV delivery into its raw table: returns (options used, rows read, rows loaded, bad rows)."""
    plan = plan_csv(delivery, opts)
    layout = layout_for(delivery, plan.header)
    options = plan.options()
    entity, rel = delivery.entity, delivery.relative
    try:
        with conn.transaction():  # savepoint: a data error undoes only the fast attempt
            if layout.extras:
                create_stage(conn, layout)
                copy_fast(conn, STAGE, list(layout.columns), plan, delivery.path, force_null=force_null)
                rows = publish_stage(conn, entity, layout, load_id, rel)
            else:
                table = begin_direct(conn, entity, load_id, rel)
                rows = copy_fast(conn, table, target_columns(layout), plan, delivery.path, force_null=force_null)
        return {**options, "method": "copy"}, rows, rows, []
    except psycopg.errors.DataError as exc:
        first = str(exc).strip().splitlines()[0]
        log.info("%s: fast COPY refused the data (%s); validating every row", rel, first)
    create_stage(conn, layout)
    read, _, bad = copy_validated(conn, delivery, plan, layout)
    loaded = publish_stage(conn, entity, layout, load_id, rel)
    return {**options, "method": "validated"}, read, loaded, bad
