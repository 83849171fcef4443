{#- Lowercase trimmed e-mail; null when it is not a plausible address (so it never links records). -#}
{% macro clean_email(column) -%}
    case
        when lower(btrim({{ column }})) ~ '^[a-z0-9._%+''-]+@[a-z0-9.-]+\.[a-z]{2,}$'
            then lower(btrim({{ column }}))
    end
{%- endmacro %}

{#- A shared mailbox (info@, facturen@, fam.jansen@, ...; seed generic_mailboxes, the list Python's
    ml/linkage/standardise.py reads too): it says little about which person a record is. `kind`: only 'role' or 'family' mailboxes. -#}
{% macro is_role_email(email_expression, kind=none) -%}
    {%- set only_kind = "and mailbox_kind = '" ~ kind ~ "'" if kind else "" -%}
    coalesce(
        split_part({{ email_expression }}, '@', 1) in (
            select local_part from {{ ref('generic_mailboxes') }} where match = 'exact' {{ only_kind }}
        )
        or split_part({{ email_expression }}, '@', 1) ~ (
            select '^(' || string_agg(local_part, '|') || ')([._-]|$)'
            from {{ ref('generic_mailboxes') }} where match = 'prefix' {{ only_kind }}
        ),
        false
    )
{%- endmacro %}
