{#- Dates and timestamps parsed safely: a value that is not a real date becomes null instead of
    failing the whole run. Dates: ISO 'yyyy-mm-dd[ T...]' and the Dutch 'dd-mm-yyyy' / 'dd/mm/yyyy';
    timestamps: ISO 'yyyy-mm-dd[ T]hh:mm[:ss][zone]'. The calendar checks (macros/input_is_valid.sql,
    parallel safe on every PostgreSQL version) reject impossible days like 2026-02-31. -#}
{% macro parse_date(column) -%}
    staging.cvm_parse_date(btrim({{ column }}))
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
        else staging.cvm_parse_date(btrim({{ column }}))::timestamp at time zone '{{ var("cvm_timezone") }}'
    end
{%- endmacro %}
