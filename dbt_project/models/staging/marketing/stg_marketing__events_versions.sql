{#- All delivered versions of each record, typed and standardised; see stg_marketing__events for the latest. -#}
with

source as (

    select * from {{ source('raw', 'marketing_events') }}

),

load_audit as (

    select
        load_id,
        decimal_separator
    from {{ source('raw', 'load_audit') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('subscriber_id') }} as subscriber_id,
        {{ clean_text('campaign_id') }} as campaign_id,

        -- text
        {{ clean_text('campaign_name') }} as campaign_name,
        {{ parse_code('channel') }} as channel,
        {{ parse_code('event_type') }} as event_type,

        -- numerics
        {{ parse_amount('cost', 'load_audit.decimal_separator') }} as cost,

        -- timestamps
        {{ parse_timestamp('occurred_at') }} as occurred_at,

        -- lineage
        {{ lineage_columns('source') }}

    from source
    left join load_audit on source._load_id = load_audit.load_id

),

versioned as (

    select
        *,
        {{ version_columns('event_id') }}
    from renamed
    where event_id is not null

)

select * from versioned
