{#- All delivered versions of each record, typed and standardised; see stg_service__tickets for the latest. -#}
with

source as (

    select * from {{ source('raw', 'service_tickets') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('ticket_id') }} as ticket_id,
        {{ clean_text('requester_id') }} as requester_id,

        -- text
        lower({{ clean_text('category') }}) as category,
        lower({{ clean_text('channel') }}) as channel,
        lower({{ clean_text('priority') }}) as priority,
        lower({{ clean_text('status') }}) as status,

        -- numerics
        case when {{ parse_integer('satisfaction') }} between 1 and 5 then {{ parse_integer('satisfaction') }} end as satisfaction,

        -- timestamps
        {{ parse_timestamp('created_at') }} as created_at,
        {{ parse_timestamp('resolved_at') }} as resolved_at,

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
        row_number() over (partition by ticket_id order by load_id desc, source_row_number desc) as version_rank,
        count(*) over (partition by ticket_id) as version_count,
        row_number() over (partition by ticket_id order by load_id desc, source_row_number desc) = 1 as is_latest
    from renamed
    where ticket_id is not null

)

select * from versioned
