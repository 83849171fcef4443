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
    exists (
        select 1 from {{ ref('generic_mailboxes') }} as mailbox
        where {% if kind %}mailbox.mailbox_kind = '{{ kind }}' and ({% endif %}split_part({{ email_expression }}, '@', 1) = mailbox.local_part
            or (mailbox.match = 'prefix'
                and split_part({{ email_expression }}, '@', 1) ~ ('^' || mailbox.local_part || '([._-]|$)')){% if kind %}){% endif %}
    )
{%- endmacro %}
