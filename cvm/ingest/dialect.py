"""CSV dialect detection on the first megabyte of a delivery: encoding, BOM, delimiter, decimal separator.

Pure functions over bytes/strings so they are cheap to test. Detection only looks at a sample; rows
further down with bytes that do not fit the detected encoding are quarantined, not guessed at
(configure `encoding` in `_source.yml` when a source is known to be Windows-1252).
"""

from __future__ import annotations

import codecs
import csv
import io
import re

SAMPLE_BYTES = 1 << 20
DELIMITER_CANDIDATES = (",", ";", "\t", "|")

# Python codec name -> PostgreSQL client encoding, so COPY transcodes server-side (fast path).
PG_ENCODINGS = {
    "utf-8": "UTF8",
    "cp1252": "WIN1252",
    "iso8859-1": "LATIN1",
    "iso8859-15": "LATIN9",
    "ascii": "SQL_ASCII",
}

# Amount columns per entity, used to detect a decimal comma when the source does not configure it.
AMOUNT_COLUMNS = {
    "finance_invoices": ("amount_excl_vat", "vat_amount", "cost_amount"),
    "marketing_events": ("cost",),
}
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+\s*$")


def canonical_encoding(name: str) -> str:
    """`UTF8`, `windows-1252`, `latin_1` -> `utf-8`, `cp1252`, `iso8859-1` (Python's canonical names)."""
    return codecs.lookup(name).name


def pg_encoding(encoding: str) -> str | None:
    """The PostgreSQL name of a Python encoding, or None when it must be transcoded in Python."""
    return PG_ENCODINGS.get(canonical_encoding(encoding))


def detect_encoding(sample: bytes, *, complete: bool) -> tuple[str, int]:
    """(encoding, bom length). UTF-8 unless the sample's non-ASCII bytes are mostly invalid UTF-8.

    A few invalid bytes among valid UTF-8 text mean a damaged UTF-8 file (those rows get quarantined);
    high bytes that are never valid UTF-8 mean a Windows-1252 export (the usual Dutch Excel/ERP default).
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    text = decoder.decode(sample, final=complete)
    bad = text.count("\ufffd")
    if bad == 0:
        return "utf-8", 0
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return ("utf-8" if good >= bad else "cp1252"), 0


UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def detect_utf16(sample: bytes) -> tuple[str, int] | None:
    """(codec, BOM length) of a UTF-16 file: by its BOM, or by NUL bytes in every other position (no BOM)."""
    for bom, codec in UTF16_BOMS:
        if sample.startswith(bom):
            return codec, len(bom)
    head = sample[:4096]
    if len(head) >= 4 and head.count(0) * 3 > len(head):  # text that is mostly NUL: two bytes per character
        odd_nul, even_nul = head[1::2].count(0), head[0::2].count(0)
        if odd_nul > 0.9 * (len(head) // 2):
            return "utf-16-le", 0
        if even_nul > 0.9 * (len(head) // 2):
            return "utf-16-be", 0
    return None


def header_end(data: bytes) -> int | None:
    """Offset just past the newline that ends the header record (quote-aware); None if not in `data`."""
    in_quotes = False
    for i, byte in enumerate(data):
        if byte == 0x22:  # '"' (ASCII-compatible in every supported encoding)
            in_quotes = not in_quotes
        elif byte == 0x0A and not in_quotes:
            return i + 1
    return None


def sniff_delimiter(header: str) -> str:
    """The candidate that splits the header most often outside quotes; ',' for a one-column header."""
    counts = dict.fromkeys(DELIMITER_CANDIDATES, 0)
    in_quotes = False
    for ch in header:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch in counts:
            counts[ch] += 1
    best = max(DELIMITER_CANDIDATES, key=lambda c: counts[c])
    return best if counts[best] else ","


def parse_header(header: str, delimiter: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(header), delimiter=delimiter))
    return rows[0] if rows else []


def detect_decimal_separator(records: list[list[str]], amount_indexes: list[int]) -> str:
    """',' when an amount column of the sample reads like `1.234,56` / `12,50`, else '.'."""
    for record in records:
        for i in amount_indexes:
            if i < len(record) and _DECIMAL_COMMA.match(record[i]):
                return ","
    return "."


def sample_records(body: bytes, encoding: str, delimiter: str, limit: int = 1000) -> list[list[str]]:
    """The first records of a sample (the last, possibly cut, line dropped)."""
    text = body.decode(encoding, errors="replace")
    cut = text.rfind("\n")
    text = text[: cut + 1] if cut >= 0 else text
    out: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            out.append(record)
            if len(out) >= limit:
                break
    except csv.Error:
        pass  # detection only; the loader reports broken rows
    return out
