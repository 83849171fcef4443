{#- Euro amounts with the delivery's decimal separator (raw.load_audit.decimal_separator):
    '1.234,56' with ',' and '1,234.56' with '.' are both 1234.56. Currency signs and spaces are
    dropped; anything that is still not a number becomes null. -#}
{% macro parse_amount(column, decimal_separator="'.'") -%}
    case
        when {{ amount_text(column, decimal_separator) }} ~ '^-?[0-9]+(\.[0-9]+)?$'
            then ({{ amount_text(column, decimal_separator) }})::numeric
    end
{%- endmacro %}

{% macro amount_text(column, decimal_separator) -%}
    case
        when coalesce({{ decimal_separator }}, '.') = ','
            then replace(replace(regexp_replace({{ column }}, '[^0-9,.\-]', '', 'g'), '.', ''), ',', '.')
        else replace(regexp_replace({{ column }}, '[^0-9,.\-]', '', 'g'), ',', '')
    end
{%- endmacro %}

{#- Whole numbers (scores, durations, payment terms): digits only, else null. -#}
{% macro parse_integer(column) -%}
    case when btrim({{ column }}) ~ '^-?[0-9]{1,9}$' then btrim({{ column }})::integer end
{%- endmacro %}
