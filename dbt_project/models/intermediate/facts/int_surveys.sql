{#- Surveys sent up to the as-of date; a response (and its NPS score) counts only when it came in
    by the as-of date. -#}
with

surveys as (

    select * from {{ ref('stg_service__surveys') }}
    where {{ not_after_as_of('sent_at') }}

),

requesters as (

    select
        source_record_id as requester_id,
        customer_id,
        party_id
    from {{ ref('int_party_records_identified') }}
    where source_system = 'service' and source_entity = 'requesters'

),

final as (

    select
        surveys.survey_id,
        requesters.customer_id,
        requesters.party_id,
        surveys.requester_id,
        surveys.ticket_id,
        surveys.sent_at,
        case when surveys.responded_on <= {{ as_of() }} then surveys.responded_at end as responded_at,
        case when surveys.responded_on <= {{ as_of() }} then surveys.nps_score end as nps_score
    from (
        select
            *,
            (responded_at at time zone '{{ var("cvm_timezone") }}')::date as responded_on
        from surveys
    ) as surveys
    left join requesters on surveys.requester_id = requesters.requester_id

)

select * from final
