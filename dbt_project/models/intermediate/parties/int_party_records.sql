{{
    config(
        indexes=[{'columns': ['record_key'], 'unique': true}],
    )
}}

{#- One row per party-bearing source record (latest version as of the as-of date), in one comparable shape: the input of
    record linkage (ml/linkage) and of the golden records. Names are lowercase and accent-folded,
    contact details standardised in staging. -#}
with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

debtors as (

    select * from {{ ref('stg_finance__debtors') }}

),

subscribers as (

    select * from {{ ref('stg_marketing__subscribers') }}

),

requesters as (

    select * from {{ ref('stg_service__requesters') }}

),

-- one pattern of all organisation words (seed organisation_name_words), built once per query
organisation_words as (

    select '(^|\s)\S*(' || string_agg(word, '|') || ')(\s|$)' as pattern
    from {{ ref('organisation_name_words') }}

),

crm_accounts as (

    select
        'crm' as source_system,
        'accounts' as source_entity,
        account_id as source_record_id,
        'organisation' as party_kind,
        null::text as first_name,
        null::text as infix,
        null::text as last_name,
        organisation_name as full_name,
        organisation_name,
        legal_form,
        email,
        website_domain,
        phone,
        street,
        house_number,
        house_number_addition,
        postcode,
        lower(city) as city,
        country,
        kvk_number,
        vat_number,
        null::text as iban,
        null::date as birth_date,
        null::text as organisation_record_key,
        created_at as first_seen_at,
        null::boolean as email_opt_in,
        null::boolean as phone_opt_in,
        company_name as display_name,
        is_current,
        ended_at
    from accounts

),

crm_contacts as (

    select
        'crm' as source_system,
        'contacts' as source_entity,
        contacts.contact_id as source_record_id,
        'person' as party_kind,
        contacts.first_name,
        contacts.infix,
        contacts.last_name,
        nullif(concat_ws(' ', contacts.first_name, contacts.infix, contacts.last_name), '') as full_name,
        accounts.organisation_name,
        accounts.legal_form,
        contacts.email,
        null::text as website_domain,
        coalesce(contacts.mobile, contacts.phone) as phone,
        contacts.street,
        contacts.house_number,
        contacts.house_number_addition,
        contacts.postcode,
        lower(contacts.city) as city,
        contacts.country,
        null::text as kvk_number,
        null::text as vat_number,
        null::text as iban,
        contacts.birth_date,
        case when contacts.account_id is not null then 'crm:accounts:' || contacts.account_id end
            as organisation_record_key,
        contacts.created_at as first_seen_at,
        contacts.email_opt_in,
        contacts.phone_opt_in,
        contacts.display_name,
        contacts.is_current,
        contacts.ended_at
    from contacts
    left join accounts on contacts.account_id = accounts.account_id

),

finance_debtors as (

    select
        'finance' as source_system,
        'debtors' as source_entity,
        debtor_number as source_record_id,
        party_kind,
        case when party_kind = 'person' then first_name end as first_name,
        case when party_kind = 'person' then infix end as infix,
        case when party_kind = 'person' then last_name end as last_name,
        case
            when party_kind = 'person' then nullif(concat_ws(' ', first_name, infix, last_name), '')
            else organisation_name
        end as full_name,
        case when party_kind = 'organisation' then organisation_name end as organisation_name,
        legal_form,
        email,
        null::text as website_domain,
        phone,
        street,
        house_number,
        house_number_addition,
        postcode,
        lower(city) as city,
        country,
        kvk_number,
        vat_number,
        iban,
        null::date as birth_date,
        null::text as organisation_record_key,
        created_at as first_seen_at,
        null::boolean as email_opt_in,
        null::boolean as phone_opt_in,
        name as display_name,
        is_current,
        ended_at
    from (
        select
            *,
            -- a debtor is an organisation when it is registered, its name carries a legal form or an
            -- organisation word (seed organisation_name_words), or it is billed at a role mailbox
            case
                when debtors.kvk_number is not null or debtors.vat_number is not null or debtors.legal_form is not null  -- noqa: RF03,LT05
                    then 'organisation'
                -- one pattern of all words (built once per query), not one regex per word and row
                when debtors.organisation_name ~ (
                    select '(^|\s)\S*(' || string_agg(word, '|') || ')(\s|$)'
                    from {{ ref('organisation_name_words') }}
                ) then 'organisation'
                -- any role mailbox, so also a name spelling its domain (as for service requesters)
                when {{ is_role_email('debtors.email', 'role') }} then 'organisation'
                else 'person'
            end as party_kind
        from debtors
    ) as typed_debtors

),

marketing_subscribers as (

    select
        'marketing' as source_system,
        'subscribers' as source_entity,
        subscriber_id as source_record_id,
        party_kind,
        {{ typed_party_names() }},
        legal_form,
        email,
        null::text as website_domain,
        null::text as phone,
        null::text as street,
        null::text as house_number,
        null::text as house_number_addition,
        postcode,
        null::text as city,
        'NL' as country,
        null::text as kvk_number,
        null::text as vat_number,
        null::text as iban,
        null::date as birth_date,
        null::text as organisation_record_key,
        subscribed_at as first_seen_at,
        -- an unsubscribe withdraws the e-mail consent whatever opt_in says
        case when unsubscribed_at is not null and {{ not_after_as_of('unsubscribed_at') }} then false else opt_in end
            as email_opt_in,
        null::boolean as phone_opt_in,
        coalesce(case when party_kind = 'organisation' then company end, display_name, company, email) as display_name,
        is_current,
        ended_at
    from (
        select
            *,
            -- an organisation signing up with its role mailbox (macro writes_as_organisation)
            case when {{ writes_as_organisation('display_name') }} then 'organisation' else 'person' end as party_kind
        from (
            select
                *,
                {{ organisation_name("concat_ws(' ', first_name, infix, last_name)") }} as name_organisation_name
            from subscribers
        ) as named
    ) as typed_subscribers

),

service_requesters as (

    select
        'service' as source_system,
        'requesters' as source_entity,
        requester_id as source_record_id,
        party_kind,
        {{ typed_party_names() }},
        case when party_kind = 'person' then legal_form else coalesce(legal_form, name_legal_form) end as legal_form,
        email,
        null::text as website_domain,
        phone,
        null::text as street,
        null::text as house_number,
        null::text as house_number_addition,
        null::text as postcode,
        null::text as city,
        'NL' as country,
        null::text as kvk_number,
        null::text as vat_number,
        null::text as iban,
        null::date as birth_date,
        null::text as organisation_record_key,
        created_at as first_seen_at,
        null::boolean as email_opt_in,
        null::boolean as phone_opt_in,
        coalesce(case when party_kind = 'organisation' then company end, name, company, email) as display_name,
        is_current,
        ended_at
    from (
        select
            *,
            -- the organisation itself writing from a role mailbox (macro writes_as_organisation); a name with a
            -- legal form is an organisation from any mailbox
            case
                when name_legal_form is not null then 'organisation'
                when {{ writes_as_organisation('name') }} then 'organisation'
                else 'person'
            end as party_kind
        from requesters
    ) as typed_requesters

),

unioned as (

    select * from crm_accounts
    union all
    select * from crm_contacts
    union all
    select * from finance_debtors
    union all
    select * from marketing_subscribers
    union all
    select * from service_requesters

),

final as (

    select
        -- ids
        source_system || ':' || source_entity || ':' || source_record_id as record_key,
        source_system,
        source_entity,
        source_record_id,
        party_kind,

        -- names
        first_name,
        infix,
        last_name,
        full_name,
        organisation_name,
        legal_form,
        display_name,

        -- contact details
        email,
        coalesce({{ is_role_email('email') }}, false) as email_is_role,
        website_domain,
        phone,

        -- address
        street,
        house_number,
        house_number_addition,
        postcode,
        city,
        country,

        -- registration
        kvk_number,
        vat_number,
        iban,
        birth_date,

        -- relations
        organisation_record_key,

        -- timestamps and consent
        first_seen_at,
        email_opt_in,
        phone_opt_in,

        -- still in the source (a snapshot delivery ends the records it no longer contains)
        is_current,
        ended_at
    from unioned
    -- a party first seen after the as-of date did not exist yet: not linked, no customer, no contacts
    where first_seen_at is null or {{ not_after_as_of('first_seen_at') }}

)

select * from final
