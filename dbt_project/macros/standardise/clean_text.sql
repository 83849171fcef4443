{#- Trimmed text with inner whitespace collapsed; '' (and whitespace only) becomes null. The definition is the
    SQL function raw.cvm_text (cvm/ingest/values.py), which the raw gate calls too. -#}
{% macro clean_text(column) -%}
    raw.cvm_text({{ column }})
{%- endmacro %}

{#- A code (activity type, status, channel) as its allowed values are written: clean_text, lowercase.
    raw.cvm_code, shared with the raw gate, which checks the allowed values (expectations/raw). -#}
{% macro parse_code(column) -%}
    raw.cvm_code({{ column }})
{%- endmacro %}

{#- Lowercase, accents folded (é -> e), trimmed: the comparable form of a name. -#}
{% macro fold_text(column) -%}
    translate(
        lower({{ clean_text(column) }}),
        'áàâäãåéèêëíìîïóòôöõøúùûüýÿçñ',
        'aaaaaaeeeeiiiiooooooouuuuyycn'
    )
{%- endmacro %}
