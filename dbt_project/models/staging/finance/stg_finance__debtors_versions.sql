{#- All delivered versions of each record, typed and standardised; see stg_finance__debtors for the latest. -#}
with

source as (

    select * from {{ source('raw', 'finance_debtors') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('debtor_number') }} as debtor_number,

        -- names
        {{ clean_text('name') }} as name,
        {{ organisation_name('name') }} as organisation_name,
        {{ legal_form('name') }} as legal_form,
        parsed_name.parsed_first_name as first_name,
        parsed_name.parsed_infix as infix,
        parsed_name.parsed_last_name as last_name,

        -- registration
        {{ clean_kvk('kvk_number') }} as kvk_number,
        {{ clean_vat('vat_number') }} as vat_number,
        {{ clean_iban('iban') }} as iban,

        -- address
        {{ clean_text('street') }} as street,
        {{ house_number('house_number') }} as house_number,
        {{ house_number_addition('house_number') }} as house_number_addition,
        {{ clean_postcode('postcode') }} as postcode,
        {{ clean_text('city') }} as city,
        {{ clean_country('country') }} as country,

        -- contact details
        {{ clean_email('email') }} as email,
        {{ clean_phone('phone') }} as phone,

        -- numerics
        {{ parse_integer('payment_terms_days') }} as payment_terms_days,

        -- timestamps
        {{ parse_timestamp('created_at') }} as created_at,

        -- lineage
        {{ lineage_columns('source') }}

    from source
    -- one parse per row (macro name_parts), its parts used by several columns
    cross join lateral {{ name_parts('source.name') }} as parsed_name  -- noqa: ST05

),

versioned as (

    select
        *,
        {{ version_columns('debtor_number') }}
    from renamed
    where debtor_number is not null

)

select * from versioned
