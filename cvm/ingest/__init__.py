"""Landing zone -> `raw`: streaming, exactly-once loads of the contract's deliveries.

Layout: `<landing>/<system>/<entity>/<delivery-name>.<ext>` with ext `.csv`, `.csv.gz`, `.jsonl` or
`.parquet`; one file is one delivery. Deliveries load in sorted path order, one transaction each, and
are recorded in `raw.load_audit`; identical content (same sha256 for the same entity, any file name)
that was loaded before is recorded as `skipped`. Rejected or failed deliveries are retried next run. A
file whose name was loaded before but whose content changed is a correction of that delivery: its rows
replace the earlier ones (the old load becomes `replaced`, with a logged notice). An empty landing zone is
an error ("no deliveries under ..."), not a run on zero rows.

Per-source options live in the optional `<landing>/<system>/_source.yml`; anything left out is detected
(encoding: UTF-8 with or without BOM, UTF-16 LE/BE (BOM or NUL pattern), else Windows-1252;
delimiter: the most frequent of `, ; TAB |` in
the header; decimal separator: `,` when amounts look like `1.234,56`)::

    encoding: cp1252            # any Python codec name (utf-8, cp1252, latin-1, ...)
    delimiter: ";"
    decimal_separator: ","      # recorded in load_audit.decimal_separator; staging converts, raw keeps text
    mode: incremental           # or snapshot: a delivery is the complete current set (recorded per load in
                                # load_audit.options); staging ends the records a later snapshot lacks
                                # (is_current/ended_at, dbt macro current_versions)
    entities:                   # optional per-entity overrides of the keys above
      invoices:
        decimal_separator: "."

Headers match contract columns trimmed and case-insensitively; unknown columns go to `_extra`.
"""

from cvm.ingest.errors import IngestError
from cvm.ingest.loader import load_landing
from cvm.ingest.report import DeliveryResult, LoadReport
from cvm.ingest.schema import ensure_raw_schema

__all__ = ["DeliveryResult", "IngestError", "LoadReport", "ensure_raw_schema", "load_landing"]
