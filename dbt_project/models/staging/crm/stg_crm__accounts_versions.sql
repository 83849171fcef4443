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
        source._load_id as load_id,
        source._source_file as source_file,
        source._row_number as source_row_number,
        source._loaded_at as loaded_at,
        source._extra as extra_columns

    from source

),

versioned as (

    select
        *,
        row_number() over (partition by account_id order by updated_at desc nulls last, load_id desc, source_row_number desc) as version_rank,
        count(*) over (partition by account_id) as version_count,
        row_number() over (partition by account_id order by updated_at desc nulls last, load_id desc, source_row_number desc) = 1 as is_latest
    from renamed
    where account_id is not null

)

select * from versioned
