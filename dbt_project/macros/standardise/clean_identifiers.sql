{#- KvK (Chamber of Commerce) number: exactly 8 digits after dropping separators, else null. -#}
{% macro clean_kvk(column) -%}
    case
        when regexp_replace({{ column }}, '[^0-9]', '', 'g') ~ '^[0-9]{8}$'
            then regexp_replace({{ column }}, '[^0-9]', '', 'g')
    end
{%- endmacro %}

{#- IBAN uppercase without spaces; null when it does not look like an IBAN. -#}
{% macro clean_iban(column) -%}
    case
        when upper(regexp_replace({{ column }}, '[^0-9A-Za-z]', '', 'g')) ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$'
            then upper(regexp_replace({{ column }}, '[^0-9A-Za-z]', '', 'g'))
    end
{%- endmacro %}

{#- VAT number uppercase without spaces and dots ('NL 1234.56.789.B01' -> 'NL123456789B01'). -#}
{% macro clean_vat(column) -%}
    case
        when upper(regexp_replace({{ column }}, '[^0-9A-Za-z]', '', 'g')) ~ '^[A-Z]{2}[0-9A-Z]{8,12}$'
            then upper(regexp_replace({{ column }}, '[^0-9A-Za-z]', '', 'g'))
    end
{%- endmacro %}
