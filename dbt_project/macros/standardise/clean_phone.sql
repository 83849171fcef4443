{#- Dutch and international phone numbers to E.164 ('+31612345678').
    Accepts '06-12345678', '+31 6 1234 5678', '+31 (0)6 12345678', '0612345678', '020-1234567',
    '0031 20 1234567' and a bare '612345678'; anything else becomes null (never a wrong number). -#}
{% macro clean_phone(column) -%}
    case
        -- digits of a number written with an explicit country code: '+31...' or '0031...'
        when regexp_replace(replace({{ column }}, '(0)', ''), '[^0-9+]', '', 'g') ~ '^(\+|00)31[1-9][0-9]{8}$'
            then '+31' || right(regexp_replace(replace({{ column }}, '(0)', ''), '[^0-9]', '', 'g'), 9)
        when regexp_replace(replace({{ column }}, '(0)', ''), '[^0-9+]', '', 'g') ~ '^(\+|00)[1-9][0-9]{7,14}$'
            and regexp_replace(replace({{ column }}, '(0)', ''), '[^0-9+]', '', 'g') !~ '^(\+|00)31'
            then '+' || regexp_replace(
                regexp_replace(replace({{ column }}, '(0)', ''), '[^0-9+]', '', 'g'), '^(\+|00)', ''
            )
        -- national format: a trunk 0 and nine digits ('06-12345678', '020-1234567')
        when regexp_replace({{ column }}, '[^0-9+]', '', 'g') ~ '^0[1-9][0-9]{8}$'
            then '+31' || right(regexp_replace({{ column }}, '[^0-9]', '', 'g'), 9)
        -- a mobile number whose leading 0 was lost in a spreadsheet ('612345678')
        when regexp_replace({{ column }}, '[^0-9+]', '', 'g') ~ '^6[0-9]{8}$'
            then '+31' || regexp_replace({{ column }}, '[^0-9]', '', 'g')
    end
{%- endmacro %}
