{#- Legal form of an organisation name, normalised: 'B.V.', 'BV', 'b.v.' -> 'bv'; 'N.V.' -> 'nv';
    'V.O.F.' -> 'vof'; 'C.V.' -> 'cv'; 'Holding' -> 'holding'; also stichting, vereniging, eenmanszaak.
    A name with both ('Jansen Holding B.V.') gets the legal entity type 'bv'. -#}
{% macro legal_form(column) -%}
    {#- The tokens are lowercase words separated by single spaces, so '(^|\s)b\s?v(\s|$)' is a LIKE on the
        space-padded tokens. No regexes here on purpose: PostgreSQL caches only 32 compiled regexes per
        session, and a staging model using more recompiles every one of them on every row (the debtors'
        versions took 3x longer with these eight). The tokens are computed once per row, not per form. -#}
    (
        select
            case
                when t like '% bv %' or t like '% b v %' then 'bv'
                when t like '% nv %' or t like '% n v %' then 'nv'
                when t like any (array['% vof %', '% v of %', '% vo f %', '% v o f %']) then 'vof'
                when t like '% cv %' or t like '% c v %' then 'cv'
                when t like '% holding %' then 'holding'
                when t like '% stichting %' then 'stichting'
                when t like '% vereniging %' then 'vereniging'
                when t like '% eenmanszaak %' then 'eenmanszaak'
            end
        from (select ' ' || {{ _org_tokens(column) }} || ' ' as t) as padded
    )
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

{#- The name spells the e-mail's company domain: 'Metaalbewerking van der Berg' at
    facturen@metaalbewerkingvanderberg.nl. The domain's second-level label and the name, each reduced to
    letters and digits (accents folded), contain one another, both at least 6 long (so 'Jan' or 'info.nl'
    never match), and the domain is no public mail provider (seed public_email_domains, the list Python's
    ml/linkage/standardise.py reads too). A helpdesk or mailing export types such a sender as a person. -#}
{% macro name_spells_email_domain(name_expression, email_expression) -%}
    coalesce((
        select
            length(stem) >= 6 and length(slug) >= 6 and (position(stem in slug) > 0 or position(slug in stem) > 0)
        from (
            select
                regexp_replace(
                    reverse(split_part(reverse(split_part({{ email_expression }}, '@', 2)), '.', 2)), '[^a-z0-9]', '', 'g'
                ) as stem,
                regexp_replace({{ fold_text(name_expression) }}, '[^a-z0-9]', '', 'g') as slug
            where
                strpos({{ name_expression }}, '@') = 0
                and split_part({{ email_expression }}, '@', 2) not in (
                    select lower(domain) from {{ ref('public_email_domains') }}
                )
        ) as parts
    ), false)
{%- endmacro %}

{#- An organisation writing from its role mailbox (facturen@, info@; seed generic_mailboxes), as a helpdesk or
    mailing export holds it: no person name at all, or the name is the company, holds an organisation word or
    spells the e-mail's company domain (a surname alone stays a person: the owner of a one-man business writes
    from info@ too). Typed as a person it would never meet its organisation and would join an employee through
    a shared phone. Expects the columns first_name, last_name, email, organisation_name (the company field),
    name_organisation_name (the name read as a company) and a CTE organisation_words. -#}
{% macro writes_as_organisation(name_column) -%}
    (
        {{ is_role_email('email', 'role') }}
        and (
            coalesce(first_name, last_name) is null
            or name_organisation_name = organisation_name
            or name_organisation_name ~ (select pattern from organisation_words)
            or {{ name_spells_email_domain(name_column, 'email') }}
        )
    )
{%- endmacro %}

{#- first_name, infix, last_name, full_name and organisation_name of a record typed by party_kind: a person keeps
    its name and its company field, an organisation is named by its company field or else by its name. -#}
{% macro typed_party_names() -%}
    case when party_kind = 'person' then first_name end as first_name,
    case when party_kind = 'person' then infix end as infix,
    case when party_kind = 'person' then last_name end as last_name,
    case
        when party_kind = 'person' then nullif(concat_ws(' ', first_name, infix, last_name), '')
        else coalesce(organisation_name, name_organisation_name)
    end as full_name,
    case
        when party_kind = 'person' then organisation_name
        else coalesce(organisation_name, name_organisation_name)
    end as organisation_name
{%- endmacro %}
