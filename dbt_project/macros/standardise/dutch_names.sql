{#- Dutch surname prefixes ("tussenvoegsels") from the seed name_infixes (the list Python's
    ml/linkage/standardise.py reads too), longest first so 'van der' wins over 'van'.
    Quotes are doubled: the pattern is always spliced into a SQL string literal. -#}
{% macro infix_pattern() -%}
    {%- set seed = ref('name_infixes') -%}
    {%- if execute -%}
        {%- set rows = run_query("select infix from " ~ seed ~ " order by length(infix) desc, infix") -%}
        (?:{{ rows.columns[0].values() | map('replace', "'", "''") | join('|') }})
    {%- else -%}
        (?:)
    {%- endif -%}
{%- endmacro %}

{#- Last name without its prefix: 'Jong, de' -> 'jong', 'de Jong' -> 'jong', 'van der Berg' -> 'berg'.
    Lowercase and accent-folded, the form record linkage compares. -#}
{% macro dutch_last_name(column) -%}
    nullif(btrim(regexp_replace(
        regexp_replace({{ fold_text(column) }}, '^(.+?),\s*{{ infix_pattern() }}\.?$', '\1'),
        '^({{ infix_pattern() }}\s+)+', ''
    )), '')
{%- endmacro %}

{#- The prefix of a surname, from a separate infix field when the source has one, else from the
    surname itself ('Jong, de' or 'de Jong' -> 'de'); null when there is none. -#}
{% macro dutch_infix(last_name_column, infix_column=none) -%}
    coalesce(
        {% if infix_column is not none %}{{ fold_text(infix_column) }},{% endif %}
        (regexp_match({{ fold_text(last_name_column) }}, '^.+?,\s*({{ infix_pattern() }})\.?$'))[1],
        btrim((regexp_match({{ fold_text(last_name_column) }}, '^((?:{{ infix_pattern() }}\s+)+)\S'))[1])
    )
{%- endmacro %}

{#- A full name in one field ('Jan de Jong', 'Jong, Jan de', 'J. de Jong') split into
    first name, infix and last name. -#}
{% macro full_name_first(column) -%}
    case
        when {{ fold_text(column) }} like '%,%'
            then nullif(btrim(regexp_replace(
                split_part({{ fold_text(column) }}, ',', 2), '(\s+{{ infix_pattern() }})+\.?$', ''
            )), '')
        when {{ fold_text(column) }} ~ '\s'
            then split_part({{ fold_text(column) }}, ' ', 1)
    end
{%- endmacro %}

{% macro full_name_infix(column) -%}
    case
        when {{ fold_text(column) }} like '%,%'
            then nullif(btrim(coalesce(
                (regexp_match(split_part({{ fold_text(column) }}, ',', 2), '\s(({{ infix_pattern() }}\s*)+)\.?$'))[1],
                (regexp_match(split_part({{ fold_text(column) }}, ',', 2), '^\s*(({{ infix_pattern() }}\s*)+)\.?$'))[1]
            )), '')
        else btrim((regexp_match({{ fold_text(column) }}, '^\S+\s+((?:{{ infix_pattern() }}\s+)+)\S'))[1])
    end
{%- endmacro %}

{% macro full_name_last(column) -%}
    case
        when {{ fold_text(column) }} like '%,%'
            then {{ dutch_last_name("split_part(" ~ column ~ ", ',', 1)") }}
        when {{ fold_text(column) }} ~ '\s'
            then nullif(btrim(regexp_replace(
                regexp_replace({{ fold_text(column) }}, '^\S+\s+', ''), '^({{ infix_pattern() }}\s+)+', ''
            )), '')
        else {{ fold_text(column) }}
    end
{%- endmacro %}

{#- The last name for display: the source spelling with its diacritics ('Kok-Brûlé'), the prefix split
    off as dutch_last_name does. Folding accents is for comparison only. -#}
{% macro dutch_last_name_display(column) -%}
    {{ display_case(
        "nullif(btrim(regexp_replace(regexp_replace(" ~ clean_text(column)
        ~ ", '^(.+?),\\s*" ~ infix_pattern() ~ "\\.?$', '\\1', 'i'), '^(" ~ infix_pattern() ~ "\\s+)+', '', 'i')), '')"
    ) }}
{%- endmacro %}

{#- Capitalised only when the source shouted or whispered ('JAN', 'jan' -> 'Jan'); a name typed with
    care keeps its spelling ('McKenzie', 'Loïs'). -#}
{% macro display_case(expression) -%}
    case
        when {{ expression }} = lower({{ expression }}) or {{ expression }} = upper({{ expression }})
            then initcap({{ expression }})
        else {{ expression }}
    end
{%- endmacro %}
