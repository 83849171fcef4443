{#- The portable date/timestamp checks, created by the on-run-start hook of every dbt invocation.

    Plain SQL: a regex for the shape plus calendar arithmetic, no cast inside a plpgsql exception block.
    So one definition runs on PostgreSQL 12-17, is IMMUTABLE (reads no setting) and PARALLEL SAFE:
    PostgreSQL may run it in parallel workers, where an exception block (a subtransaction) fails with
    "cannot start subtransactions during a parallel operation" (tests/dbt/test_parallel_plans.py).
    Each is a single expression without STRICT, so the planner inlines it into the query (a call per
    row through the SQL-function executor would be several times slower); keep it that way, and pass
    cheap arguments (a column, btrim(column)): PostgreSQL does not inline a function whose argument is
    used more than once and is expensive. Null in gives null out.

    On PostgreSQL 16+ the timestamp check calls the built-in pg_input_is_valid (C, parallel safe, several
    times faster than the regexes); the SQL rules accept exactly what it accepts for these shapes
    (tests/dbt/test_parallel_plans.py compares them on 34k generated values on PostgreSQL 16+): year
    0001-9999, month 1-12, the month's days (Gregorian leap years), minute 0-59, second 0-60, the time of
    day at most 24:00:00, zone Z or +-hh[[:]mm] up to 15:59. Pure SQL measured on PG15 at 100k values
    (loaded machine): dates about 2x the old exception-block check, timestamps about 7x (hence the PG16
    branch); the old check is not an option there, it fails in parallel plans. -#}
{% macro create_input_is_valid() -%}
create schema if not exists staging;
create or replace function staging.cvm_is_calendar_day(y int, m int, d int)
returns boolean language sql immutable parallel safe as $fn$
    select y between 1 and 9999 and m between 1 and 12 and d between 1 and case
        when m = 2 then case when (y % 4 = 0 and y % 100 <> 0) or y % 400 = 0 then 29 else 28 end
        when m in (4, 6, 9, 11) then 30
        else 31
    end
$fn$;
create or replace function staging.cvm_is_clock_time(h int, mi int, s int, fraction text)
returns boolean language sql immutable parallel safe as $fn$
    -- a leap second (60) is allowed, but the time of day may not pass 24:00:00 (fractions to the microsecond)
    select mi <= 59 and s <= 60
        and h * 3600 + mi * 60 + s + coalesce(round(('0' || fraction)::numeric, 6), 0) <= 86400
$fn$;
-- 'yyyy-m-d' (a time after it allowed and ignored), 'd-m-yyyy' or 'd/m/yyyy' -> the date, else null
create or replace function staging.cvm_parse_date(value text)
returns date language sql immutable parallel safe as $fn$
    select case
        when value ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T].*)?$'
            and staging.cvm_is_calendar_day(
                substr(value, 1, 4)::int,
                split_part(value, '-', 2)::int,
                substring(value from '^[0-9]{4}-[0-9]{1,2}-([0-9]{1,2})')::int
            )
            then make_date(
                substr(value, 1, 4)::int,
                split_part(value, '-', 2)::int,
                substring(value from '^[0-9]{4}-[0-9]{1,2}-([0-9]{1,2})')::int
            )
        when value ~ '^[0-9]{1,2}[-/][0-9]{1,2}[-/][0-9]{4}$'
            and staging.cvm_is_calendar_day(
                split_part(translate(value, '/', '-'), '-', 3)::int,
                split_part(translate(value, '/', '-'), '-', 2)::int,
                split_part(translate(value, '/', '-'), '-', 1)::int
            )
            then make_date(
                split_part(translate(value, '/', '-'), '-', 3)::int,
                split_part(translate(value, '/', '-'), '-', 2)::int,
                split_part(translate(value, '/', '-'), '-', 1)::int
            )
    end
$fn$;
create or replace function staging.cvm_is_iso_timestamp_sql(value text)
returns boolean language sql immutable parallel safe as $fn$
    select case
        when value ~ (
            '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*'
            || '(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$'
        )
            then staging.cvm_is_calendar_day(
                substr(value, 1, 4)::int,
                split_part(value, '-', 2)::int,
                substring(value from '^[0-9]{4}-[0-9]{1,2}-([0-9]{1,2})')::int
            )
            and staging.cvm_is_clock_time(
                substring(value from '[ T]([0-9]{1,2}):')::int,
                substring(value from '[ T][0-9]{1,2}:([0-9]{2})')::int,
                coalesce(substring(value from '[ T][0-9]{1,2}:[0-9]{2}:([0-9]{2})')::int, 0),
                substring(value from '[ T][0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)')
            )
            and coalesce(substring(value from '[+-]([0-9]{2}):?[0-9]{0,2}$')::int, 0) <= 15
            and coalesce(substring(value from '[+-][0-9]{2}:?([0-9]{2})$')::int, 0) <= 59
        when value is not null then false
    end
$fn$;
-- 'yyyy-m-d[ T]h:mm[:ss[.f]][ ][Z|+-hh[[:]mm]]' naming a real moment? PostgreSQL 16+ has the check built
-- in (pg_input_is_valid, several times faster than the regexes); older servers get the same rule in SQL.
{% if cvm_server_version_num() >= 160000 -%}
create or replace function staging.cvm_is_iso_timestamp(value text)
returns boolean language sql immutable parallel safe as $fn$
    select case
        when value ~ (
            '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*'
            || '(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$'
        )
            then pg_input_is_valid(value, 'timestamp')
        when value is not null then false
    end
$fn$;
{%- else -%}
create or replace function staging.cvm_is_iso_timestamp(value text)
returns boolean language sql immutable parallel safe as $fn$
    select staging.cvm_is_iso_timestamp_sql(value)
$fn$;
{%- endif %}
create or replace function staging.cvm_is_iso_date(value text)
returns boolean language sql immutable parallel safe as $fn$
    select case
        when value ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$' then staging.cvm_parse_date(value) is not null
        when value is not null then false
    end
$fn$;
-- the PostgreSQL 12-15 fallback of earlier versions (a cast in an exception block) is unsafe in parallel plans
drop function if exists staging.cvm_input_is_valid(text, text);
{%- endmacro %}

{% macro cvm_server_version_num() -%}
    {%- if execute -%}
        {{ return(run_query("select current_setting('server_version_num')::int").columns[0].values()[0]) }}
    {%- endif -%}
    {{ return(0) }}
{%- endmacro %}

{#- A boolean SQL expression: does the text expression hold a valid value of type_name ('date' for
    'yyyy-m-d', 'timestamp'/'timestamptz' for the ISO timestamp shapes parse_timestamp admits). -#}
{% macro input_is_valid(expression, type_name) -%}
    {%- if type_name == 'date' -%}
        staging.cvm_is_iso_date({{ expression }})
    {%- elif type_name in ('timestamp', 'timestamptz') -%}
        staging.cvm_is_iso_timestamp({{ expression }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("input_is_valid: no portable check for type '" ~ type_name ~ "'") }}
    {%- endif -%}
{%- endmacro %}
