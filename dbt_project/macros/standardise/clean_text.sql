{#- Trimmed text with inner whitespace collapsed; '' (and whitespace only) becomes null. -#}
{% macro clean_text(column) -%}
    nullif(btrim(regexp_replace({{ column }}, '\s+', ' ', 'g')), '')
{%- endmacro %}

{#- Lowercase, accents folded (é -> e), trimmed: the comparable form of a name. -#}
{% macro fold_text(column) -%}
    translate(
        lower({{ clean_text(column) }}),
        'áàâäãåéèêëíìîïóòôöõøúùûüýÿçñ',
        'aaaaaaeeeeiiiiooooooouuuuyycn'
    )
{%- endmacro %}
