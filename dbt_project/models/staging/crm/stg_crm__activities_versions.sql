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
        lower({{ clean_text('activity_type') }}) as activity_type,
        coalesce(lower({{ clean_text('direction') }}), 'outbound') as direction,
        {{ clean_text('employee') }} as employee,
        {{ clean_text('subject') }} as subject,

        -- numerics
        {{ parse_integer('duration_minutes') }} as duration_minutes,

        -- timestamps
        {{ parse_timestamp('occurred_at') }} as occurred_at,

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
        row_number() over (partition by activity_id order by load_id desc, source_row_number desc) as version_rank,
        count(*) over (partition by activity_id) as version_count,
        row_number() over (partition by activity_id order by load_id desc, source_row_number desc) = 1 as is_latest
    from renamed
    where activity_id is not null

)

select * from versioned
