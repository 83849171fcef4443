{#- One row per customer as of the run's as-of date: the value figures and model outputs of
    ml.customer_scores for var('model_run_id'), with complaints and NPS from the service facts. -#}
with

customers as (

    select * from {{ ref('dim_customer') }}

),

scores as (

    select * from {{ source('ml', 'customer_scores') }}
    where model_run_id = '{{ var("model_run_id") }}'

),

tickets_12m as (

    select
        customer_id,
        count(*) as tickets_12m,
        count(*) filter (where is_complaint) as complaints_12m
    from {{ ref('int_tickets') }}
    where customer_id is not null and {{ in_window_12m('created_on') }}
    group by customer_id

),

nps as (

    select distinct on (customer_id)
        customer_id,
        nps_score as last_nps,
        responded_at as last_nps_at
    from {{ ref('int_surveys') }}
    where customer_id is not null and nps_score is not null
    order by customer_id asc, responded_at desc, survey_id desc

),

contacts_12m as (

    select
        customer_id,
        count(*) as contacts_12m,
        count(*) filter (where direction = 'outbound') as outbound_contacts_12m,
        max(occurred_on) as last_contact_on
    from {{ ref('int_contact_moments') }}
    where customer_id is not null and {{ in_window_12m('occurred_on') }}
    group by customer_id

),

control as (

    select
        customer_id,
        control_group
    from {{ ref('contact_control_group') }}

),

final as (

    select
        -- ids
        customers.customer_id,
        customers.customer_type,
        customers.display_name,
        {{ as_of() }} as as_of_date,
        '{{ var("model_run_id") }}' as model_run_id,

        -- value over the 12m window
        coalesce(scores.revenue_12m, 0) as revenue_12m,
        coalesce(scores.cost_12m, 0) as cost_12m,
        coalesce(scores.contact_cost_12m, 0) as contact_cost_12m,
        coalesce(scores.current_value_12m, 0) as current_value_12m,

        -- purchase behaviour and predictions
        scores.frequency,
        scores.recency_days,
        scores.tenure_days,
        scores.monetary_avg,
        scores.p_alive,
        scores.predicted_purchases_12m,
        scores.clv_12m,
        scores.churn_risk,
        scores.potential_score,

        -- service and contact
        coalesce(tickets_12m.complaints_12m, 0) as complaints_12m,
        coalesce(tickets_12m.tickets_12m, 0) as tickets_12m,
        nps.last_nps,
        nps.last_nps_at,
        coalesce(contacts_12m.contacts_12m, 0) as contacts_12m,
        coalesce(contacts_12m.outbound_contacts_12m, 0) as outbound_contacts_12m,
        contacts_12m.last_contact_on,

        -- segment
        scores.value_class,
        scores.potential_class,
        scores.segment,
        scores.cluster,
        -- held out of planned cadence contacts to measure what the strategy adds (contact_plan)
        coalesce(control.control_group, false) as control_group
    from customers
    left join scores on customers.customer_id = scores.customer_id
    left join tickets_12m on customers.customer_id = tickets_12m.customer_id
    left join nps on customers.customer_id = nps.customer_id
    left join contacts_12m on customers.customer_id = contacts_12m.customer_id
    left join control on customers.customer_id = control.customer_id

)

select * from final
