{#- One row per customer: what a service employee sees when the customer calls (seed 001: dialogue
    management also steers the conversations the customer starts) - the segment's goal and dialogue
    script, the call-back promise, open complaints/returns, the last NPS and the next planned contact. -#}
with

customers as (

    select
        customer_id,
        display_name,
        customer_type,
        account_manager
    from {{ ref('dim_customer') }}

),

profile as (

    select
        customer_id,
        segment,
        last_nps,
        last_nps_at,
        complaints_12m,
        control_group
    from {{ ref('customer_360') }}

),

strategy as (

    select
        segment,
        goal,
        dialogue_script
    from {{ ref('contact_strategy') }}

),

open_tickets as (

    select
        customer_id,
        count(*) filter (where is_complaint) as open_complaints,
        count(*) filter (where category = 'return') as open_returns,
        string_agg(category || ' ' || ticket_id || ' since ' || created_on, '; ' order by created_at)
            as open_ticket_summary
    from {{ ref('int_tickets') }}
    where
        customer_id is not null
        and resolved_at is null
        and category in ('complaint', 'return')
    group by customer_id

),

next_contact as (

    select distinct on (customer_id)
        customer_id,
        planned_date as next_planned_date,
        channel as next_planned_channel,
        reason as next_planned_reason
    from {{ ref('contact_plan') }}
    where status = 'planned'
    order by customer_id, planned_date, reason

),

callback_segments as (

    select unnest(string_to_array({{ contact_setting('callback_segments') }}, '|')) as segment

),

final as (

    select
        customers.customer_id,
        customers.display_name,
        customers.customer_type,
        customers.account_manager,
        profile.segment,
        strategy.goal,
        strategy.dialogue_script,
        callback_segments.segment is not null as callback_promised,
        case
            when callback_segments.segment is not null
                then {{ contact_setting('callback_minutes') }}::integer
        end as callback_minutes,
        coalesce(open_tickets.open_complaints, 0)::integer as open_complaints,
        coalesce(open_tickets.open_returns, 0)::integer as open_returns,
        open_tickets.open_ticket_summary,
        coalesce(profile.complaints_12m, 0)::integer as complaints_12m,
        profile.last_nps,
        profile.last_nps_at,
        next_contact.next_planned_date,
        next_contact.next_planned_channel,
        next_contact.next_planned_reason,
        {{ as_of() }} as as_of_date
    from customers
    left join profile on customers.customer_id = profile.customer_id
    left join strategy on profile.segment = strategy.segment
    left join open_tickets on customers.customer_id = open_tickets.customer_id
    left join next_contact on customers.customer_id = next_contact.customer_id
    left join callback_segments on profile.segment = callback_segments.segment

)

select * from final
