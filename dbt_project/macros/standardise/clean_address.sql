{#- Dutch postcode '1234 ab' -> '1234AB'; a foreign postcode is kept uppercased; junk becomes null. -#}
{% macro clean_postcode(column) -%}
    case
        when upper(regexp_replace({{ column }}, '\s', '', 'g')) ~ '^[1-9][0-9]{3}[A-Z]{2}$'
            then upper(regexp_replace({{ column }}, '\s', '', 'g'))
        when upper({{ clean_text(column) }}) ~ '^[A-Z0-9][A-Z0-9 -]{2,9}$'
            and upper(regexp_replace({{ column }}, '\s', '', 'g')) !~ '^[0-9]{4}[A-Z]?$'
            then upper({{ clean_text(column) }})
    end
{%- endmacro %}

{#- House number '12a', '12-2', '12 bis', '12 A' -> number '12' (digits only) ... -#}
{% macro house_number(column) -%}
    (regexp_match(btrim({{ column }}), '^([0-9]+)'))[1]
{%- endmacro %}

{#- ... and addition 'a', '2', 'bis' (lowercase, separators dropped; null when none). -#}
{% macro house_number_addition(column) -%}
    nullif(
        lower(btrim(regexp_replace(
            (regexp_match(btrim({{ column }}), '^[0-9]+\s*(.*)$'))[1], '^[\s\-/.,]+', ''
        ))),
        ''
    )
{%- endmacro %}

{#- ISO2 country, 'NL' when blank; common Dutch/English spellings mapped. -#}
{% macro clean_country(column) -%}
    case
        when {{ clean_text(column) }} is null then 'NL'
        when lower({{ clean_text(column) }}) in ('nl', 'nederland', 'netherlands', 'the netherlands', 'holland', 'nld')
            then 'NL'
        when lower({{ clean_text(column) }}) in ('be', 'belgie', 'belgië', 'belgium', 'bel') then 'BE'
        when lower({{ clean_text(column) }}) in ('de', 'duitsland', 'germany', 'deutschland', 'deu') then 'DE'
        when {{ clean_text(column) }} ~ '^[A-Za-z]{2}$' then upper({{ clean_text(column) }})
    end
{%- endmacro %}
