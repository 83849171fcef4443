"""Fuzz test of the CSV loader (issue 12): broken exports never crash it, and nothing is lost.

Hypothesis builds deliveries with stray quotes, wrong field counts, NUL bytes, very long fields, mixed and
UTF-16 encodings, CRLF, decimal commas and truncated gzip, with a fixed seed so CI sees the same few
thousand cases every time. The loader must return a result for each (never raise), and for a loaded
delivery every delivered line must end up either in the raw table or in `raw.quarantine`: the physical
lines of the raw rows (a quoted field may span lines) plus those of the quarantined records equal the lines
of the body. A delivery that is not loaded leaves no rows behind.
"""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from cvm.contract import BY_PATH
from cvm.ingest.discover import Delivery
from cvm.ingest.loader import load_delivery
from cvm.ingest.schema import create_raw_schema

ENTITY = BY_PATH["service/requesters"]
HEADER = ["requester_id", "name", "email", "phone", "company", "created_at"]
ALPHABET = st.sampled_from(list("abcXYZ 019-.@,;\"'éëö€") + ["\x00", "\t", "ﬁ", "😀"])

_names = itertools.count()


@st.composite
def field(draw) -> str:
    value = draw(st.text(alphabet=ALPHABET, max_size=12))
    if draw(st.integers(0, 30)) == 0:
        value *= draw(st.integers(50, 400))  # very long fields
    style = draw(st.sampled_from(["plain", "plain", "quoted", "stray"]))
    if style == "quoted":
        return '"' + value.replace('"', '""') + '"'
    if style == "stray":
        return '"' + value  # an unterminated quote: may swallow the lines after it
    return value


@st.composite
def delivery(draw) -> tuple[str, bytes, int]:
    """(file suffix, file bytes, number of body lines)."""
    delimiter = draw(st.sampled_from([",", ";"]))
    header = HEADER + (["notes"] if draw(st.booleans()) else [])
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1, -3]))
        fields = [draw(field()) for _ in range(max(width, 1))]
        line = delimiter.join(fields)
        rows.append(line if line.strip("\t") else "x")  # a blank line is no record
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = delimiter.join(header) + newline + "".join(r + newline for r in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "mixed"]))
    if encoding == "mixed":  # Windows-1252 lines pasted into a UTF-8 export
        data = newline.encode().join(
            ln.encode("cp1252", "replace") if i % 3 == 2 else ln.encode("utf-8")
            for i, ln in enumerate(text.split(newline))
        )
    else:
        data = text.encode(encoding, "replace")
    suffix = ".csv"
    if draw(st.integers(0, 5)) == 0:
        suffix, data = ".csv.gz", gzip.compress(data)
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data) - 1))]  # a truncated transfer
    return suffix, data, len(rows)


_LINES_IN_RAW = """
select count(*) + coalesce(sum(
    length(t) - length(replace(t, E'\\n', ''))), 0)
from (select concat_ws('', requester_id, name, email, phone, company, created_at,
                       (select string_agg(value, '') from jsonb_each_text(_extra))) as t
      from raw.service_requesters where _load_id = %s) r
"""
_LINES_IN_QUARANTINE = """
select coalesce(sum(length(raw_line) - length(replace(raw_line, E'\\n', ''))
                    + case when raw_line like E'%%\\n' then 0 else 1 end), 0)
from raw.quarantine where load_id = %s
"""


@pytest.fixture(scope="module")
def loader_conn(warehouse_url):
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("drop schema if exists raw cascade")
        conn.execute("set synchronous_commit = off")  # thousands of tiny loads: no need to wait for the disk
        with conn.transaction():
            create_raw_schema(conn)
        yield conn


@settings(
    max_examples=2000,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@seed(20261204)
@given(case=delivery())
def test_the_loader_never_crashes_and_loses_no_row(loader_conn, tmp_path_factory, case):
    suffix, data, lines = case
    landing = tmp_path_factory.getbasetemp() / "fuzz_landing"
    relative = f"service/requesters/{next(_names)}{suffix}"
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    result = load_delivery(loader_conn, Delivery(ENTITY, path, relative), Path(landing))
    assert result.status in ("loaded", "skipped", "rejected", "failed")
    if result.status == "skipped":
        return
    assert result.error is None or ("\x00" not in result.error and "\n" not in result.error)
    in_raw = loader_conn.execute(_LINES_IN_RAW, (result.load_id,)).fetchone()[0]
    in_quarantine = loader_conn.execute(_LINES_IN_QUARANTINE, (result.load_id,)).fetchone()[0]
    (status,) = loader_conn.execute(
        "select status from raw.load_audit where load_id = %s", (result.load_id,)
    ).fetchone()
    assert status == result.status
    if result.status != "loaded":
        assert (in_raw, in_quarantine) == (0, 0), result.error
        return
    raw_rows = loader_conn.execute(
        "select count(*) from raw.service_requesters where _load_id = %s", (result.load_id,)
    ).fetchone()[0]
    assert raw_rows == result.rows_loaded
    assert in_raw + in_quarantine == lines, (result, in_raw, in_quarantine)
