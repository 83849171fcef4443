{#- Per customer: planned vs actual contacts and costs over 12 months, with flags marketing acts on.
    The actual figures are the as-of row of int_customer_features (the one place they are computed).
    Contact pressure counts what we initiated (outbound); the contact cost counts every contact moment
    (serving an inbound question costs money too). Tolerances are vars (over/under_contact_tolerance). -#}
with

customers as (

    select customer_id from {{ ref('dim_customer') }}

),

segments as (

    select customer_id, segment from {{ ref('customer_segments') }}

),

strategy as (

    select segment, goal, contacts_per_year, max_contact_cost_per_year from {{ ref('contact_strategy') }}

),

features as (

    select
        customer_id,
        outbound_contacts_12m,
        inbound_contacts_12m,
        contact_cost_12m,
        current_value_12m
    from {{ ref('int_customer_features') }}
    where cut_off_kind = 'as_of'

),

planned as (

    select
        customer_id,
        count(*) as planned_contacts_12m,
        sum(estimated_cost) as planned_cost_12m
    from {{ ref('contact_plan') }}
    group by customer_id

),

joined as (

    select
        customers.customer_id,
        segments.segment,
        strategy.goal,
        coalesce(strategy.contacts_per_year, 0) as target_contacts_per_year,
        strategy.max_contact_cost_per_year,
        coalesce(planned.planned_contacts_12m, 0) as planned_contacts_12m,
        coalesce(planned.planned_cost_12m, 0) as planned_cost_12m,
        coalesce(features.outbound_contacts_12m, 0) as actual_contacts_12m,
        coalesce(features.inbound_contacts_12m, 0) as actual_inbound_contacts_12m,
        coalesce(features.contact_cost_12m, 0) as contact_cost_12m,
        coalesce(features.current_value_12m, 0) as current_value_12m
    from customers
    left join segments on customers.customer_id = segments.customer_id
    left join strategy on segments.segment = strategy.segment
    left join planned on customers.customer_id = planned.customer_id
    left join features on customers.customer_id = features.customer_id

),

final as (

    select
        customer_id,
        segment,
        goal,
        target_contacts_per_year,
        max_contact_cost_per_year,
        planned_contacts_12m,
        planned_cost_12m,
        actual_contacts_12m,
        actual_inbound_contacts_12m,
        contact_cost_12m,
        current_value_12m,
        actual_contacts_12m - target_contacts_per_year as contacts_vs_target,
        actual_contacts_12m > target_contacts_per_year * (1 + {{ var('over_contact_tolerance') }})
            as over_contacted,
        actual_contacts_12m < target_contacts_per_year * (1 - {{ var('under_contact_tolerance') }})
            as under_contacted,
        (contact_cost_12m > greatest(current_value_12m, 0)
            or contact_cost_12m > coalesce(max_contact_cost_per_year, contact_cost_12m))
            as cost_above_value,
        '{{ var("as_of") }}'::date as as_of_date
    from joined

)

select * from final
