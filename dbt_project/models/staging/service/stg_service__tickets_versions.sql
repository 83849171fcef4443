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
        {{ parse_code('category') }} as category,
        {{ parse_code('channel') }} as channel,
        lower({{ clean_text('priority') }}) as priority,
        lower({{ clean_text('status') }}) as status,

        -- numerics
        case
            when {{ parse_integer('satisfaction') }} between 1 and 5 then {{ parse_integer('satisfaction') }}
        end as satisfaction,

        -- timestamps
        {{ parse_timestamp('created_at') }} as created_at,
        {{ parse_timestamp('resolved_at') }} as resolved_at,

        -- lineage
        {{ lineage_columns('source') }}

    from source

),

versioned as (

    select
        *,
        {{ version_columns('ticket_id') }}
    from renamed
    where ticket_id is not null

)

select * from versioned
