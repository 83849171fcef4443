{#- Per customer: planned vs actual contacts and costs over 12 months, with flags marketing acts on.
    Contact pressure counts what we initiated (outbound); the contact cost counts every contact moment
    (serving an inbound question costs money too). Tolerances are vars (over/under_contact_tolerance). -#}
with

customers as (

    select customer_id from {{ ref('dim_customer') }}

),

segments as (

    select
        customer_id,
        segment
    from {{ ref('customer_segments') }}

),

strategy as (

    select
        segment,
        goal,
        contacts_per_year,
        max_contact_cost_per_year
    from {{ ref('contact_strategy') }}

),

values_12m as (

    select
        customer_id,
        current_value_12m
    from {{ ref('customer_360') }}

),

planned as (

    select
        customer_id,
        count(*) as planned_contacts_12m,
        sum(estimated_cost) as planned_cost_12m
    from {{ ref('contact_plan') }}
    group by customer_id

),

actual as (

    select
        customer_id,
        count(*) filter (where direction = 'outbound') as actual_outbound_contacts_12m,
        count(*) filter (where direction = 'inbound') as actual_inbound_contacts_12m,
        sum(contact_cost) as actual_contact_cost_12m
    from {{ ref('int_contact_moments') }}
    where customer_id is not null and {{ in_window_12m('occurred_on') }}
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
        coalesce(actual.actual_outbound_contacts_12m, 0) as actual_contacts_12m,
        coalesce(actual.actual_inbound_contacts_12m, 0) as actual_inbound_contacts_12m,
        coalesce(actual.actual_contact_cost_12m, 0) as contact_cost_12m,
        coalesce(values_12m.current_value_12m, 0) as current_value_12m
    from customers
    left join segments on customers.customer_id = segments.customer_id
    left join strategy on segments.segment = strategy.segment
    left join planned on customers.customer_id = planned.customer_id
    left join actual on customers.customer_id = actual.customer_id
    left join values_12m on customers.customer_id = values_12m.customer_id

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
        (
            contact_cost_12m > greatest(current_value_12m, 0)
            or contact_cost_12m > coalesce(max_contact_cost_per_year, contact_cost_12m))
            as cost_above_value,
        {{ as_of() }} as as_of_date
    from joined

)

select * from final
