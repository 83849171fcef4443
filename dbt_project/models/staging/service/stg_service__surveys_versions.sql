{#- All delivered versions of each record, typed and standardised; see stg_service__surveys for the latest. -#}
with

source as (

    select * from {{ source('raw', 'service_surveys') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('survey_id') }} as survey_id,
        {{ clean_text('requester_id') }} as requester_id,
        {{ clean_text('ticket_id') }} as ticket_id,

        -- numerics
        case when {{ parse_integer('nps_score') }} between 0 and 10 then {{ parse_integer('nps_score') }} end as nps_score,

        -- timestamps
        {{ parse_timestamp('sent_at') }} as sent_at,
        {{ parse_timestamp('responded_at') }} as responded_at,

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
        row_number() over (partition by survey_id order by load_id desc, source_row_number desc) as version_rank,
        count(*) over (partition by survey_id) as version_count,
        row_number() over (partition by survey_id order by load_id desc, source_row_number desc) = 1 as is_latest
    from renamed
    where survey_id is not null

)

select * from versioned
