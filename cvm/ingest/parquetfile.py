"""Parquet deliveries: record batches rendered as CSV by Arrow (C++) and COPYed into the stage table.

Typed Parquet values become their Arrow text form (ISO dates and timestamps, `.` decimals); nested
values become JSON text. Memory stays at one record batch.
"""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from psycopg import Connection, sql

from cvm.ingest.csvfile import layout_for
from cvm.ingest.discover import Delivery
from cvm.ingest.stage import STAGE, StageLayout, begin_direct, create_stage, publish_stage, target_columns

BATCH_ROWS = 64_000


def _flat(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Nested columns as JSON text: Arrow's CSV writer only handles flat types."""
    arrays = []
    for arr in batch.columns:
        if pa.types.is_nested(arr.type) or pa.types.is_dictionary(arr.type):
            values = [
                None if v is None else (v if isinstance(v, str) else json.dumps(v, default=str))
                for v in arr.to_pylist()
            ]
            arr = pa.array(values, pa.string())
        arrays.append(arr)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def load_parquet(conn: Connection, delivery: Delivery, load_id: int) -> tuple[dict, int, int, list]:
    pf = pq.ParquetFile(delivery.path)
    layout: StageLayout = layout_for(delivery, pf.schema_arrow.names, force_null=False)
    entity, rel = delivery.entity, delivery.relative
    if layout.extras:
        create_stage(conn, layout)
        table, columns = STAGE, list(layout.columns)
    else:
        table, columns = begin_direct(conn, entity, load_id, rel), target_columns(layout)
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    query = sql.SQL("copy {} ({}) from stdin (format csv)").format(table, cols)
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    rows = 0
    with conn.cursor() as cur, cur.copy(query) as copy:
        for batch in pf.iter_batches(batch_size=BATCH_ROWS):
            buf = io.BytesIO()
            pacsv.write_csv(_flat(batch), buf, write_options=options)
            copy.write(buf.getbuffer())
            rows += batch.num_rows
    if layout.extras:
        rows = publish_stage(conn, entity, layout, load_id, rel)
    return {"encoding": "utf-8", "decimal_separator": "."}, rows, rows, []
