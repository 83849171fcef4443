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
        parsed_name.parsed_first_name as first_name,
        parsed_name.parsed_infix as infix,
        parsed_name.parsed_last_name as last_name,
        {{ organisation_name('name') }} as name_organisation_name,
        {{ legal_form('name') }} as name_legal_form,
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
    -- one parse per row (macro name_parts), its parts used by several columns
    cross join lateral {{ name_parts('source.name') }} as parsed_name  -- noqa: ST05

),

versioned as (

    select
        *,
        {{ version_columns('requester_id') }}
    from renamed
    where requester_id is not null

)

select * from versioned
