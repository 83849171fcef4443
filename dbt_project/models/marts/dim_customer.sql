{#- One row per customer: the golden record BI tools join everything else to. -#}
with

customers as (

    select * from {{ ref('int_customers') }}

),

final as (

    select
        -- ids
        customer_id,
        customer_type,

        -- golden attributes
        display_name,
        email,
        phone,
        street,
        house_number,
        house_number_addition,
        postcode,
        city,
        country,
        kvk_number,
        vat_number,
        account_manager,

        -- survivorship: the source (system.entity) each golden value was taken from
        display_name_source,
        email_source,
        phone_source,
        address_source,
        kvk_number_source,
        vat_number_source,

        -- consent
        coalesce(email_opt_in, false) as email_opt_in,
        coalesce(phone_opt_in, false) as phone_opt_in,
        email_opt_in is null as email_consent_unknown,
        phone_opt_in is null as phone_consent_unknown,

        -- lineage; false once every source record has ended (absent from a later snapshot delivery)
        is_current,
        first_seen_at,
        source_record_count::integer as source_record_count,
        party_count::integer as party_count,
        {{ as_of() }} as as_of_date
    from customers

)

select * from final
