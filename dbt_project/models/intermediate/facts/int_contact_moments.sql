{{
    config(
        indexes=[{'columns': ['contact_moment_id'], 'unique': true}, {'columns': ['customer_id', 'occurred_on']}],
    )
}}

{#- Every contact moment with a customer, all channels, up to the as-of date, with its cost from
    config.channel_costs (marketing events use their own cost when the tool reports one).
    Marketing responses (open, click, ...) are reactions, not contact moments: only 'sent' counts. -#}
with

identified as not materialized (

    select
        source_system,
        source_entity,
        source_record_id,
        customer_id,
        party_id
    from {{ ref('int_party_records_identified') }}

),

channel_costs as (

    select
        channel,
        direction,
        cost_per_contact
    from {{ ref('channel_costs') }}

),

activities as (

    select
        'crm:activities:' || activities.activity_id as contact_moment_id,
        coalesce(contact.customer_id, account.customer_id) as customer_id,
        coalesce(contact.party_id, account.party_id) as party_id,
        activities.occurred_at,
        activities.activity_type as channel,
        activities.direction,
        'crm' as source_system,
        'activities' as source_entity,
        activities.activity_id as source_record_id,
        null::numeric as own_cost
    from {{ ref('stg_crm__activities') }} as activities
    left join identified as contact
        on
            contact.source_system = 'crm' and contact.source_entity = 'contacts'
            and activities.contact_id = contact.source_record_id
    left join identified as account
        on
            account.source_system = 'crm' and account.source_entity = 'accounts'
            and activities.account_id = account.source_record_id

),

marketing_sends as (

    select
        'marketing:events:' || events.event_id as contact_moment_id,
        subscriber.customer_id,
        subscriber.party_id,
        events.occurred_at,
        coalesce(events.channel, 'email') as channel,
        'outbound' as direction,
        'marketing' as source_system,
        'events' as source_entity,
        events.event_id as source_record_id,
        events.cost as own_cost
    from {{ ref('stg_marketing__events') }} as events
    left join identified as subscriber
        on
            subscriber.source_system = 'marketing' and subscriber.source_entity = 'subscribers'
            and events.subscriber_id = subscriber.source_record_id
    where events.event_type = 'sent'

),

tickets as (

    select
        'service:tickets:' || tickets.ticket_id as contact_moment_id,
        requester.customer_id,
        requester.party_id,
        tickets.created_at as occurred_at,
        coalesce(tickets.channel, 'web') as channel,
        'inbound' as direction,
        'service' as source_system,
        'tickets' as source_entity,
        tickets.ticket_id as source_record_id,
        null::numeric as own_cost
    from {{ ref('stg_service__tickets') }} as tickets
    left join identified as requester
        on
            requester.source_system = 'service' and requester.source_entity = 'requesters'
            and tickets.requester_id = requester.source_record_id

),

surveys as (

    select
        'service:surveys:' || surveys.survey_id as contact_moment_id,
        requester.customer_id,
        requester.party_id,
        surveys.sent_at as occurred_at,
        'survey' as channel,
        'outbound' as direction,
        'service' as source_system,
        'surveys' as source_entity,
        surveys.survey_id as source_record_id,
        null::numeric as own_cost
    from {{ ref('stg_service__surveys') }} as surveys
    left join identified as requester
        on
            requester.source_system = 'service' and requester.source_entity = 'requesters'
            and surveys.requester_id = requester.source_record_id
    where surveys.sent_at is not null

),

unioned as (

    select * from activities
    union all
    select * from marketing_sends
    union all
    select * from tickets
    union all
    select * from surveys

),

final as (

    select
        -- ids
        unioned.contact_moment_id,
        unioned.customer_id,
        unioned.party_id,

        -- when
        unioned.occurred_at,
        (unioned.occurred_at at time zone '{{ var("cvm_timezone") }}')::date as occurred_on,

        -- how
        unioned.channel,
        unioned.direction,
        unioned.source_system,
        unioned.source_entity,
        unioned.source_record_id,

        -- cost
        coalesce(unioned.own_cost, channel_costs.cost_per_contact, 0) as contact_cost,
        unioned.own_cost is null and channel_costs.cost_per_contact is null as is_cost_unknown
    from unioned
    left join channel_costs
        on
            unioned.channel = channel_costs.channel
            and unioned.direction = channel_costs.direction
    where
        unioned.occurred_at is not null
        and {{ not_after_as_of('unioned.occurred_at') }}

)

select * from final
