{#- Legal form of an organisation name, normalised: 'B.V.', 'BV', 'b.v.' -> 'bv'; 'N.V.' -> 'nv';
    'V.O.F.' -> 'vof'; 'C.V.' -> 'cv'; 'Holding' -> 'holding'; also stichting, vereniging, eenmanszaak.
    A name with both ('Jansen Holding B.V.') gets the legal entity type 'bv'. -#}
{% macro legal_form(column) -%}
    case
        when {{ _org_tokens(column) }} ~ '(^|\s)b\s?v(\s|$)' then 'bv'
        when {{ _org_tokens(column) }} ~ '(^|\s)n\s?v(\s|$)' then 'nv'
        when {{ _org_tokens(column) }} ~ '(^|\s)v\s?o\s?f(\s|$)' then 'vof'
        when {{ _org_tokens(column) }} ~ '(^|\s)c\s?v(\s|$)' then 'cv'
        when {{ _org_tokens(column) }} ~ '(^|\s)holding(\s|$)' then 'holding'
        when {{ _org_tokens(column) }} ~ '(^|\s)stichting(\s|$)' then 'stichting'
        when {{ _org_tokens(column) }} ~ '(^|\s)vereniging(\s|$)' then 'vereniging'
        when {{ _org_tokens(column) }} ~ '(^|\s)eenmanszaak(\s|$)' then 'eenmanszaak'
    end
{%- endmacro %}

{#- Organisation name for matching: lowercase, accents folded, legal forms and punctuation removed,
    whitespace collapsed ('Bakkerij De Jong B.V.' -> 'bakkerij de jong'). -#}
{% macro organisation_name(column) -%}
    nullif(btrim(regexp_replace(
        regexp_replace(
            {{ _org_tokens(column) }},
            '(^|\s)(b\s?v|n\s?v|v\s?o\s?f|c\s?v|holding|stichting|vereniging|eenmanszaak)(?=\s|$)', ' ', 'g'
        ),
        '\s+', ' ', 'g'
    )), '')
{%- endmacro %}

{#- lowercase, accents folded, dots dropped ('b.v.' -> 'bv'), other punctuation -> space -#}
{% macro _org_tokens(column) -%}
    btrim(regexp_replace(replace({{ fold_text(column) }}, '.', ''), '[^a-z0-9&'']+', ' ', 'g'))
{%- endmacro %}
