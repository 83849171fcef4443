{#- Euro amounts in the delivery's decimal separator (raw.load_audit.decimal_separator): '1.234,56' with
    ',' and '1,234.56' with '.' are both 1234.56; a value not written in that separator (a '100.00' in a
    decimal-comma file) is null, and the raw gate flags it. The definition is the SQL function
    raw.cvm_amount (cvm/ingest/values.py), which the raw gate calls too. -#}
{% macro parse_amount(column, decimal_separator="'.'") -%}
    raw.cvm_amount({{ column }}, {{ decimal_separator }})
{%- endmacro %}

{#- Whole numbers (scores, durations, payment terms): raw.cvm_integer, shared with the raw gate. -#}
{% macro parse_integer(column) -%}
    raw.cvm_integer({{ column }})
{%- endmacro %}
