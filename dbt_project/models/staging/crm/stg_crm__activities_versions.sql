{#- All delivered versions of each record, typed and standardised; see stg_crm__activities for the latest. -#}
with

source as (

    select * from {{ source('raw', 'crm_activities') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('activity_id') }} as activity_id,
        {{ clean_text('contact_id') }} as contact_id,
        {{ clean_text('account_id') }} as account_id,

        -- text
        {{ parse_code('activity_type') }} as activity_type,
        coalesce({{ parse_code('direction') }}, 'outbound') as direction,
        {{ clean_text('employee') }} as employee,
        {{ clean_text('subject') }} as subject,

        -- numerics
        {{ parse_integer('duration_minutes') }} as duration_minutes,

        -- timestamps
        {{ parse_timestamp('occurred_at') }} as occurred_at,

        -- lineage
        {{ lineage_columns('source') }}

    from source

),

versioned as (

    select
        *,
        {{ version_columns('activity_id') }}
    from renamed
    where activity_id is not null

)

select * from versioned
