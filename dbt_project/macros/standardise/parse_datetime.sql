{#- Dates and timestamps parsed safely: a value that is not a real date becomes null (and is flagged by the
    raw gate) instead of failing the run. ISO 'yyyy-mm-dd[ T]hh:mm[:ss][zone]' and the Dutch 'dd-mm-yyyy'
    are read; impossible days like 2026-02-30 are not. The definitions are the SQL functions raw.cvm_date
    and raw.cvm_timestamp (cvm/ingest/values.py), which the raw gate calls too: one rule, parallel safe. -#}
{% macro parse_date(column) -%}
    raw.cvm_date({{ column }})
{%- endmacro %}

{#- Timestamps with an offset ('Z', '+01:00') keep it; without one they are local time
    (var cvm_timezone), so the same file gives the same instants on any server. -#}
{% macro parse_timestamp(column) -%}
    raw.cvm_timestamp({{ column }}, '{{ var("cvm_timezone") }}')
{%- endmacro %}
