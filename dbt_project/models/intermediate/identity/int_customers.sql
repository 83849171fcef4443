{{
    config(
        indexes=[{'columns': ['customer_id'], 'unique': true}],
    )
}}

{#- The golden record per customer by survivorship: per attribute the first non-empty value of the
    records ordered by (record of the customer's own kind first, CRM > finance > marketing > service,
    most recent first). For an organisation its own records win on name, registration and address;
    its persons only fill gaps. Consent is conservative: one explicit "no" anywhere wins. -#}
with

records as (

    select
        *,
        (party_kind = customer_type) as is_own_kind
    from {{ ref('int_party_records_identified') }}

),

accounts as (

    select
        account_id,
        account_manager
    from {{ ref('stg_crm__accounts') }}

),

{#- records still in their source first: an ended record (snapshot delivery) only fills gaps -#}
{%- set order_by = "is_current desc, is_own_kind desc, source_priority, first_seen_at desc nulls last, record_key" %}

golden as (

    select
        customer_id,
        min(customer_type) as customer_type,

        -- names
        (array_agg(display_name order by {{ order_by }}) filter (where display_name is not null))[1]
            as display_name,
        -- a record that carries no name at all (real exports have them) is still a customer: name it by
        -- its source record so BI never shows an empty name
        (array_agg(source_system || ' ' || source_entity || ' ' || source_record_id order by {{ order_by }}))[1]
            as record_name,

        -- contact details: a personal mailbox beats a shared one (info@)
        (array_agg(email order by email_is_role, {{ order_by }}) filter (where email is not null))[1] as email,
        (array_agg(phone order by {{ order_by }}) filter (where phone is not null))[1] as phone,

        -- address: the whole address of one record, never a mix of two
        (array_agg(street order by {{ order_by }}) filter (where postcode is not null))[1] as street,
        (array_agg(house_number order by {{ order_by }}) filter (where postcode is not null))[1] as house_number,
        (array_agg(house_number_addition order by {{ order_by }}) filter (where postcode is not null))[1]
            as house_number_addition,
        (array_agg(postcode order by {{ order_by }}) filter (where postcode is not null))[1] as postcode,
        (array_agg(city order by {{ order_by }}) filter (where postcode is not null))[1] as city,
        coalesce(
            (array_agg(country order by {{ order_by }}) filter (where postcode is not null))[1], 'NL'
        ) as country,

        -- registration
        (array_agg(kvk_number order by {{ order_by }}) filter (where kvk_number is not null))[1] as kvk_number,
        (array_agg(vat_number order by {{ order_by }}) filter (where vat_number is not null))[1] as vat_number,

        -- crm account of the customer, for its account manager
        (
            array_agg(source_record_id order by {{ order_by }})
            filter (where source_system = 'crm' and source_entity = 'accounts')
        )[1
        ] as crm_account_id,

        -- consent: null when no source says anything; a customer whose every record has ended is not contacted
        case when bool_or(is_current) then bool_and(email_opt_in) else false end as email_opt_in,
        case when bool_or(is_current) then bool_and(phone_opt_in) else false end as phone_opt_in,
        bool_or(is_current) as is_current,

        -- lineage
        min(first_seen_at) as first_seen_at,
        count(*) as source_record_count,
        count(distinct party_id) as party_count
    from records
    group by customer_id

),

final as (

    select
        golden.customer_id,
        golden.customer_type,
        coalesce(golden.display_name, golden.email, golden.phone, golden.record_name) as display_name,
        golden.email,
        golden.phone,
        golden.street,
        golden.house_number,
        golden.house_number_addition,
        golden.postcode,
        golden.city,
        golden.country,
        golden.kvk_number,
        golden.vat_number,
        golden.first_seen_at,
        golden.email_opt_in,
        golden.phone_opt_in,
        golden.is_current,
        accounts.account_manager,
        golden.source_record_count,
        golden.party_count
    from golden
    left join accounts on golden.crm_account_id = accounts.account_id

)

select * from final
