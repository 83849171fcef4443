{#- All delivered versions of each record, typed and standardised; see stg_service__requesters for the latest. -#}
with

source as (

    select * from {{ source('raw', 'service_requesters') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('requester_id') }} as requester_id,

        -- names
        {{ clean_text('name') }} as name,
        {{ full_name_first('name') }} as first_name,
        {{ full_name_infix('name') }} as infix,
        {{ full_name_last('name') }} as last_name,
        {{ clean_text('company') }} as company,
        {{ organisation_name('company') }} as organisation_name,
        {{ legal_form('company') }} as legal_form,

        -- contact details
        {{ clean_email('email') }} as email,
        {{ clean_phone('phone') }} as phone,

        -- timestamps
        {{ parse_timestamp('created_at') }} as created_at,

        -- lineage
        {{ lineage_columns('source') }}

    from source

),

versioned as (

    select
        *,
        {{ version_columns('requester_id') }}
    from renamed
    where requester_id is not null

)

select * from versioned
