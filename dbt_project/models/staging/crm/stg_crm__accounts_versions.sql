{#- All delivered versions of each record, typed and standardised; see stg_crm__accounts for the latest. -#}
with

source as (

    select * from {{ source('raw', 'crm_accounts') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('account_id') }} as account_id,

        -- text
        {{ clean_text('company_name') }} as company_name,
        {{ organisation_name('company_name') }} as organisation_name,
        {{ legal_form('company_name') }} as legal_form,
        lower({{ clean_text('website') }}) as website,
        {{ website_domain('website') }} as website_domain,
        {{ clean_text('account_manager') }} as account_manager,

        -- registration
        {{ clean_kvk('kvk_number') }} as kvk_number,
        {{ clean_vat('vat_number') }} as vat_number,

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

        -- timestamps
        {{ parse_timestamp('created_at') }} as created_at,
        {{ parse_timestamp('updated_at') }} as updated_at,

        -- lineage
        {{ lineage_columns('source') }}

    from source

),

versioned as (

    select
        *,
        {{ version_columns('account_id', updated_at='updated_at') }}
    from renamed
    where account_id is not null

)

select * from versioned
