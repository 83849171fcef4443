{#- Dates and timestamps parsed safely: a value that is not a real date becomes null instead of
    failing the whole run. The regex guard admits ISO 'yyyy-mm-dd[ T]hh:mm[:ss][zone]' and the Dutch
    'dd-mm-yyyy'; input_is_valid (pg_input_is_valid on PostgreSQL 16) then rejects impossible days like
    2026-02-31. -#}
{% macro iso_date_text(column) -%}
    case
        when btrim({{ column }}) ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T].*)?$'
            then substring(btrim({{ column }}) from '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}')
        when btrim({{ column }}) ~ '^[0-9]{1,2}[-/][0-9]{1,2}[-/][0-9]{4}$'
            then split_part(translate(btrim({{ column }}), '/', '-'), '-', 3)
                || '-' || split_part(translate(btrim({{ column }}), '/', '-'), '-', 2)
                || '-' || split_part(translate(btrim({{ column }}), '/', '-'), '-', 1)
    end
{%- endmacro %}

{% macro parse_date(column) -%}
    case
        when {{ input_is_valid(iso_date_text(column), 'date') }}
            then ({{ iso_date_text(column) }})::date
    end
{%- endmacro %}

{#- Timestamps with an offset ('Z', '+01:00') keep it; without one they are local time
    (var cvm_timezone), so the same file gives the same instants on any server. -#}
{% macro parse_timestamp(column) -%}
    case
        when btrim({{ column }}) ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)$'
            and {{ input_is_valid('btrim(' ~ column ~ ')', 'timestamptz') }}
            then btrim({{ column }})::timestamptz
        when btrim({{ column }}) ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$'
            and {{ input_is_valid('btrim(' ~ column ~ ')', 'timestamp') }}
            then btrim({{ column }})::timestamp at time zone '{{ var("cvm_timezone") }}'
        when {{ input_is_valid(iso_date_text(column), 'date') }}
            then ({{ iso_date_text(column) }})::date::timestamp at time zone '{{ var("cvm_timezone") }}'
    end
{%- endmacro %}
