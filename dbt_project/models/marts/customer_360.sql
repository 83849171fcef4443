{#- One row per customer as of the run's as-of date: the figures of int_customer_features (the as-of
    row: value, purchase behaviour, complaints, NPS, contacts) and the model outputs of
    ml.customer_scores for var('model_run_id'). -#}
with

customers as (

    select * from {{ ref('dim_customer') }}

),

scores as (

    select * from {{ source('ml', 'customer_scores') }}
    where model_run_id = '{{ var("model_run_id") }}'

),

features as (

    select * from {{ ref('int_customer_features') }}
    where cut_off_kind = 'as_of'

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
        coalesce(features.revenue_12m, 0) as revenue_12m,
        coalesce(features.cost_12m, 0) as cost_12m,
        coalesce(features.contact_cost_12m, 0) as contact_cost_12m,
        coalesce(features.current_value_12m, 0) as current_value_12m,

        -- purchase behaviour (recency the RFM way: days since the last purchase) and predictions
        features.frequency::integer as frequency,
        features.days_since_last as recency_days,
        features.tenure_days,
        features.monetary_avg,
        scores.p_alive,
        scores.predicted_purchases_12m,
        scores.clv_12m,
        scores.churn_risk,
        scores.potential_score,

        -- service and contact
        coalesce(features.complaints_12m, 0)::integer as complaints_12m,
        coalesce(features.tickets_12m, 0)::integer as tickets_12m,
        features.last_nps,
        features.last_nps_at,
        coalesce(features.contacts_12m, 0)::integer as contacts_12m,
        coalesce(features.outbound_contacts_12m, 0)::integer as outbound_contacts_12m,
        features.last_contact_on,

        -- segment
        scores.value_class,
        scores.potential_class,
        scores.segment,
        scores.cluster,
        -- held out of planned cadence contacts to measure what the strategy adds (contact_plan)
        coalesce(control.control_group, false) as control_group
    from customers
    left join scores on customers.customer_id = scores.customer_id
    left join features on customers.customer_id = features.customer_id
    left join control on customers.customer_id = control.customer_id

)

select * from final
