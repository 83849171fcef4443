{#- Yes/no flags as exported by Dutch and English systems: 1/0, true/false, yes/no, ja/nee, j/n, y/n, t/f.
    Anything else (blank, 'unknown') is null: the source does not say. -#}
{% macro parse_boolean(column) -%}
    case
        when lower(btrim({{ column }})) in ('1', 'true', 't', 'yes', 'y', 'ja', 'j') then true
        when lower(btrim({{ column }})) in ('0', 'false', 'f', 'no', 'n', 'nee') then false
    end
{%- endmacro %}
