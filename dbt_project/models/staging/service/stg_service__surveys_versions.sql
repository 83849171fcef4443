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
        case
            when {{ parse_integer('nps_score') }} between 0 and 10 then {{ parse_integer('nps_score') }}
        end as nps_score,

        -- timestamps
        {{ parse_timestamp('sent_at') }} as sent_at,
        {{ parse_timestamp('responded_at') }} as responded_at,

        -- lineage
        {{ lineage_columns('source') }}

    from source

),

versioned as (

    select
        *,
        {{ version_columns('survey_id') }}
    from renamed
    where survey_id is not null

)

select * from versioned
