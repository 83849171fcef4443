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
        row_number() over (partition by requester_id order by load_id desc, source_row_number desc) as version_rank,
        count(*) over (partition by requester_id) as version_count,
        row_number() over (partition by requester_id order by load_id desc, source_row_number desc) = 1 as is_latest
    from renamed
    where requester_id is not null

)

select * from versioned
