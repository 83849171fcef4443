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

{#- The organisation's own domain from a website as CRM users type it: 'www.BakkerijJansen.nl',
    'https://bakkerij-jansen.nl/', 'http://www.x.nl:8080/contact?x=1' -> lowercase host without scheme,
    'www.', port, path or query; an e-mail typed into the field ('info@x.nl') gives its domain. Null
    when no host is left ('n.v.t.', '-'), for public mail providers (seed public_email_domains) and for
    hosts that are not the organisation's own (seed shared_website_hosts: facebook.com,
    nl.linkedin.com, bol.com, ...): their employees do not mail from there. -#}
{% macro website_domain(column) -%}
    (
        select
            case
                when
                    parsed.host ~ '^([a-z0-9-]+\.)+[a-z]{2,}$'
                    and parsed.host not in (select lower(domain) from {{ ref('public_email_domains') }})
                    and not exists (
                        select 1 from {{ ref('shared_website_hosts') }} as shared
                        where parsed.host = lower(shared.host) or parsed.host like '%.' || lower(shared.host)
                    )
                    then parsed.host
            end
        from (
            select
                regexp_replace(
                    split_part(
                        regexp_replace(
                            split_part(
                                regexp_replace(lower(btrim({{ column }})), '^([a-z][a-z0-9+.-]*://|mailto:)', ''),
                                '/', 1
                            ),
                            '^.*@|[?#].*$', '', 'g'
                        ),
                        ':', 1
                    ),
                    '^www\.|\.$', '', 'g'
                ) as host
        ) as parsed
    )
{%- endmacro %}
