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
        {{ full_name_first('name') }} as first_name,
        {{ full_name_infix('name') }} as infix,
        {{ full_name_last('name') }} as last_name,

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
        row_number() over (partition by debtor_number order by load_id desc, source_row_number desc) as version_rank,
        count(*) over (partition by debtor_number) as version_count,
        row_number() over (partition by debtor_number order by load_id desc, source_row_number desc) = 1 as is_latest
    from renamed
    where debtor_number is not null

)

select * from versioned
