-- Per-value cost of the shared date parse on Dutch dates (issue 7): 1M values, a third each dd-mm-yyyy,
-- d-m-yyyy and dd/mm/yyyy. "general path" is the helper call (raw.cvm_date_from_text(raw.cvm_date_text(v)))
-- that raw.cvm_date made for every Dutch value before its Dutch branch was inlined.
-- Run on a database whose raw schema has the functions (cvm.ingest.ensure_raw_schema):
--   psql "$URL" -f bench/bench_dutch_dates.sql
set max_parallel_workers_per_gather = 0;
set jit = off;
create temporary table dutch_dates as
select to_char(date '2000-01-01' + (i % 9000),
               case i % 3 when 0 then 'DD-MM-YYYY' when 1 then 'FMDD-FMMM-YYYY' else 'DD/MM/YYYY' end) as v
from generate_series(1, 1000000) as i;
\timing on
select count(v) as scan_only from dutch_dates;
select count(raw.cvm_date_from_text(raw.cvm_date_text(v))) as general_path from dutch_dates;
select count(raw.cvm_date(v)) as cvm_date from dutch_dates;
select count(raw.cvm_timestamp(v, 'UTC')) as cvm_timestamp from dutch_dates;
