{#- Service tickets up to the as-of date with their customer: complaints feed customer_360 and the
    complaint follow-up trigger of the contact plan. -#}
with

tickets as (

    select * from {{ ref('stg_service__tickets') }}
    where {{ not_after_as_of('created_at') }}

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
        tickets.ticket_id,
        requesters.customer_id,
        requesters.party_id,
        tickets.requester_id,
        tickets.created_at,
        (tickets.created_at at time zone '{{ var("cvm_timezone") }}')::date as created_on,
        -- a resolution after the as-of date is not known yet
        case
            when {{ not_after_as_of('tickets.resolved_at') }}
                then tickets.resolved_at
        end as resolved_at,
        tickets.category,
        tickets.category = 'complaint' as is_complaint,
        tickets.channel,
        tickets.priority,
        tickets.status,
        tickets.satisfaction
    from tickets
    left join requesters on tickets.requester_id = requesters.requester_id

)

select * from final
