"""What counts as a readable date, timestamp, integer or amount: one definition, as SQL functions in `raw`.

The raw quality gate (`cvm.quality.queries`) and dbt staging (`parse_*` macros) both call these functions,
so a value the gate accepts is exactly a value staging can type, and a value staging would turn into NULL
is flagged by the gate (issue: rows staging would load counted against blocking expectations, and a
`2026-02-30` vanished from revenue unseen). They are plain SQL without exception blocks: PARALLEL SAFE on
PostgreSQL 12-17, and the small ones are inlined by the planner.

- amount: per delivery one decimal separator (`raw.load_audit.decimal_separator`); every value must be
  written in it: `1.234,56` / `1234,56` / `12` with `,`; `1,234.56` / `1234.56` with `.`. A `100.00` in a
  decimal-comma delivery is not read as 10000 but flagged. Spaces, `€` and `EUR` are ignored.
- date: ISO `yyyy-mm-dd` or Dutch `dd-mm-yyyy` / `dd/mm/yyyy` (a time part allowed after either), and the
  day must exist on the calendar (`2026-02-30` is flagged).
- timestamp: ISO date and time, with an offset (`Z`, `+01:00`) kept or else local time (`tz`), or a Dutch
  date and clock time (`05-01-2026 14:35`, local time); a date alone is midnight local time.
- integer: optional sign and up to nine digits.
- text / code: trimmed, inner whitespace collapsed, blank is null; a code lowercase too (`raw.cvm_text`,
  `raw.cvm_code`): the raw gate judges ids and allowed codes in the form staging reads them.
"""

from __future__ import annotations

_DATE_ISO = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
_TIME = r"([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?"
_ZONE = r"(Z|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)"
_CLEAN_AMOUNT = r"regexp_replace(value, '[[:space:]\u00a0€]|eur', '', 'gi')"
# A day every month has (01-28) of a year 1000-2999 and, for a timestamp, a clock time that exists: the shapes
# nearly every export writes, valid without the calendar arithmetic (one regex, then make_date or the cast;
# other years take the general path: excluding year 0 with a lookahead cost a fifth of the regex)
_SURE_DAY = r"[12][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
_SURE_DAY_NL = r"(?:0[1-9]|1[0-9]|2[0-8])[-/](?:0[1-9]|1[0-2])[-/][12][0-9]{3}"  # dd-mm-yyyy, dd/mm/yyyy
_SURE_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"

VALUES_DDL = f"""
-- text as staging reads it (dbt macros clean_text, parse_code): trimmed, inner whitespace one space, blank null;
-- a code (activity type, status, channel) lowercase too, so ' Klacht ' and 'KLACHT' are both 'klacht'
-- (ASCII without a whitespace character, as nearly every id and code is, needs no regex: 2.6x faster)
create or replace function raw.cvm_text(value text) returns text
language sql immutable parallel safe as $$
select case
    when octet_length(value) = length(value) and strpos(value, ' ') = 0 and strpos(value, E'\\t') = 0
        and strpos(value, E'\\n') = 0 and strpos(value, E'\\r') = 0 and strpos(value, E'\\f') = 0
        and strpos(value, chr(11)) = 0
        then nullif(value, '')
    else nullif(btrim(regexp_replace(value, '\\s+', ' ', 'g')), '')
end $$;

create or replace function raw.cvm_code(value text) returns text
language sql immutable parallel safe as $$ select lower(raw.cvm_text(value)) $$;

-- the common shapes ('1234.56', '1234,56', '2026-01-05') take one regex; the rest the general path
create or replace function raw.cvm_amount_text(value text, decimal_separator text) returns text
language sql immutable parallel safe as $$
select case
    when coalesce(decimal_separator, '.') = ',' then case
        when value ~ '^-?[0-9]+(,[0-9]+)?$' then replace(value, ',', '.')
        when {_CLEAN_AMOUNT} ~ '^[-+]?([0-9]{{1,3}}(\\.[0-9]{{3}})+|[0-9]+)(,[0-9]+)?$'
            then replace(replace({_CLEAN_AMOUNT}, '.', ''), ',', '.') end
    else case
        when value ~ '^-?[0-9]+(\\.[0-9]+)?$' then value
        when {_CLEAN_AMOUNT} ~ '^[-+]?([0-9]{{1,3}}(,[0-9]{{3}})+|[0-9]+)(\\.[0-9]+)?$'
            then replace({_CLEAN_AMOUNT}, ',', '') end
end $$;

create or replace function raw.cvm_amount(value text, decimal_separator text) returns numeric
language sql immutable parallel safe as $$ select raw.cvm_amount_text(value, decimal_separator)::numeric $$;

create or replace function raw.cvm_integer(value text) returns integer
language sql immutable parallel safe as $$
select case when btrim(value) ~ '^[-+]?[0-9]{{1,9}}$' then btrim(value)::integer end $$;

-- the calendar in arithmetic: no make_date on an impossible day, no exception, no timestamp maths
create or replace function raw.cvm_make_date(y integer, m integer, d integer) returns date
language sql immutable parallel safe as $$
select case when y between 1 and 9999 and m between 1 and 12 and d between 1 and case
        when m = 2 then case when (y % 4 = 0 and y % 100 <> 0) or y % 400 = 0 then 29 else 28 end
        when m in (4, 6, 9, 11) then 30 else 31 end
    then make_date(y, m, d) end $$;

-- 'yyyy-m-d' from ISO or Dutch dd-mm-yyyy / dd/mm/yyyy (a time part allowed after either); null when neither
create or replace function raw.cvm_date_text(value text) returns text
language sql immutable parallel safe as $$
select case
    when btrim(value) ~ '{_DATE_ISO}([ T]{_TIME}\\s*{_ZONE}?)?$'
        then substring(btrim(value) from '{_DATE_ISO}')
    when btrim(value) ~ '^[0-9]{{1,2}}[-/][0-9]{{1,2}}[-/][0-9]{{4}}( +{_TIME})?$'
        then split_part(translate(split_part(btrim(value), ' ', 1), '/', '-'), '-', 3)
            || '-' || split_part(translate(split_part(btrim(value), ' ', 1), '/', '-'), '-', 2)
            || '-' || split_part(translate(split_part(btrim(value), ' ', 1), '/', '-'), '-', 1)
end $$;

create or replace function raw.cvm_date_from_text(ymd text) returns date
language sql immutable parallel safe as $$
select raw.cvm_make_date(split_part(ymd, '-', 1)::integer, split_part(ymd, '-', 2)::integer,
                         split_part(ymd, '-', 3)::integer) $$;

create or replace function raw.cvm_date(value text) returns date
language sql immutable parallel safe as $$
select case
    when value is null then null  -- before the general path: its cvm_date_from_text call is not inlined
    when value ~ '^{_SURE_DAY}$' then make_date(
        substr(value, 1, 4)::integer, substr(value, 6, 2)::integer, substr(value, 9, 2)::integer)
    when value ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$' then raw.cvm_make_date(
        substr(value, 1, 4)::integer, substr(value, 6, 2)::integer, substr(value, 9, 2)::integer)
    -- Dutch dd-mm-yyyy / d-m-yyyy / dd/mm/yyyy, as accounting exports write them: inlined here (a call of the
    -- general path's helper is not inlined and cost ~5 us a value)
    when value ~ '^{_SURE_DAY_NL}$' then make_date(
        substr(value, 7, 4)::integer, substr(value, 4, 2)::integer, substr(value, 1, 2)::integer)
    when value ~ '^[0-9]{{1,2}}[-/][0-9]{{1,2}}[-/][0-9]{{4}}$' then raw.cvm_make_date(
        split_part(translate(value, '/', '-'), '-', 3)::integer,
        split_part(translate(value, '/', '-'), '-', 2)::integer,
        split_part(translate(value, '/', '-'), '-', 1)::integer)
    else raw.cvm_date_from_text(raw.cvm_date_text(value))
end $$;

-- a date and time that exist; offset kept, else local time in `tz`; a date alone is local midnight
create or replace function raw.cvm_timestamp(value text, tz text) returns timestamptz
language sql stable parallel safe as $$
select case
    when value ~ '^{_SURE_DAY}(?:[ T]{_SURE_TIME})?$' then value::timestamp at time zone tz
    when value ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[ T]{_TIME}$'
        then case when raw.cvm_date(substr(value, 1, 10)) is not null
            then value::timestamp at time zone tz end
    when value ~ '^[0-9]{{1,2}}[-/][0-9]{{1,2}}[-/][0-9]{{4}}$' then raw.cvm_date(value)::timestamp at time zone tz
    when raw.cvm_date(value) is null then null
    -- Dutch date and clock time, as helpdesk and accounting exports write them: '05-01-2026 14:35'
    when btrim(value) ~ '^[0-9]{{1,2}}[-/][0-9]{{1,2}}[-/][0-9]{{4}} +{_TIME}$' then (
        raw.cvm_date(split_part(btrim(value), ' ', 1))
        + btrim(substr(btrim(value), strpos(btrim(value), ' ')))::time
    ) at time zone tz
    when btrim(value) ~ '{_DATE_ISO}[ T]{_TIME}\\s*{_ZONE}$' then btrim(value)::timestamptz
    when btrim(value) ~ '{_DATE_ISO}[ T]{_TIME}$' then btrim(value)::timestamp at time zone tz
    else raw.cvm_date(value)::timestamp at time zone tz
end $$;
"""
