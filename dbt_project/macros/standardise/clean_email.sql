{#- Lowercase trimmed e-mail; null when it is not a plausible address (so it never links records). -#}
{% macro clean_email(column) -%}
    case
        when lower(btrim({{ column }})) ~ '^[a-z0-9._%+''-]+@[a-z0-9.-]+\.[a-z]{2,}$'
            then lower(btrim({{ column }}))
    end
{%- endmacro %}

{#- A shared mailbox (info@, sales@, ...): it says little about which person a record is. -#}
{% macro is_role_email(email_expression) -%}
    (split_part({{ email_expression }}, '@', 1) in (
        {%- for prefix in var('role_email_prefixes') %}'{{ prefix }}'{{ ", " if not loop.last }}{% endfor -%}
    ))
{%- endmacro %}
