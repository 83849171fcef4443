{#- Per month x segment over the 12 months of ml.segment_history (run var('model_run_id')): how many
    customers, how their value develops, contacts and costs against the strategy's plan
    (contacts_per_year / 12 per customer), retention and reactivation, migrations between segments,
    and NPS. Every segment of the strategy appears every month, also with zero customers, so that a
    segment that empties still shows its outflow. -#}
with

history as (

    -- the segment the models gave each month, the value figures of that month's cut-off
    select
        segment_history.customer_id,
        segment_history.month,
        segment_history.value_class,
        segment_history.segment,
        coalesce(features.revenue_12m, 0) as revenue_12m,
        coalesce(features.current_value_12m, 0) as current_value_12m
    from {{ source('ml', 'segment_history') }} as segment_history
    left join {{ ref('int_customer_features') }} as features
        on segment_history.customer_id = features.customer_id
        and segment_history.month = features.feature_month
        and features.cut_off_kind in ('as_of', 'month_end')
    where segment_history.model_run_id = '{{ var("model_run_id") }}'
        and segment_history.month <= '{{ var("as_of") }}'::date

),

strategy as (

    select segment, contacts_per_year, max_contact_cost_per_year from {{ ref('contact_strategy') }}

),

months as (

    select distinct month from history

),

grid as (

    select months.month, strategy.segment, strategy.contacts_per_year, strategy.max_contact_cost_per_year
    from months
    cross join strategy

),

customer_months as (

    select
        history.*,
        case
            when previous.month is not null then previous.segment
        end as previous_segment,
        previous.value_class as previous_value_class
    from history
    left join history as previous
        on history.customer_id = previous.customer_id
        and previous.month = (history.month - interval '1 month')::date

),

invoices as (

    select customer_id, date_trunc('month', invoice_date)::date as month, sum(revenue) as revenue
    from {{ ref('int_invoices') }}
    where customer_id is not null
    group by 1, 2

),

contacts as (

    select
        customer_id,
        date_trunc('month', occurred_on)::date as month,
        count(*) filter (where direction = 'outbound') as outbound_contacts,
        count(*) as contacts,
        sum(contact_cost) as contact_cost
    from {{ ref('int_contact_moments') }}
    where customer_id is not null
    group by 1, 2

),

nps as (

    select
        customer_id,
        date_trunc('month', {{ local_date('responded_at') }})::date as month,
        nps_score
    from {{ ref('int_surveys') }}
    where customer_id is not null and nps_score is not null

),

by_segment as (

    select
        customer_months.month,
        customer_months.segment,
        count(*) as customers,
        sum(customer_months.revenue_12m) as revenue_12m,
        sum(customer_months.current_value_12m) as current_value_12m,
        sum(coalesce(invoices.revenue, 0)) as revenue_month,
        sum(coalesce(contacts.outbound_contacts, 0)) as contacts_actual,
        sum(coalesce(contacts.contacts, 0)) as contacts_all_directions,
        sum(coalesce(contacts.contact_cost, 0)) as contact_cost_actual,
        count(*) filter (
            where customer_months.previous_value_class = 'none' and customer_months.value_class <> 'none'
        ) as reactivated_customers,
        count(*) filter (
            where customer_months.previous_segment is not null
                and customer_months.previous_segment <> customer_months.segment
        ) as migrations_in,
        count(*) filter (
            where customer_months.previous_segment is null
                and customer_months.month > (select min(month) from months)
        ) as new_in_history
    from customer_months
    left join invoices
        on customer_months.customer_id = invoices.customer_id and customer_months.month = invoices.month
    left join contacts
        on customer_months.customer_id = contacts.customer_id and customer_months.month = contacts.month
    group by 1, 2

),

by_previous_segment as (

    select
        month,
        previous_segment as segment,
        count(*) as previous_customers,
        count(*) filter (where value_class <> 'none') as retained_customers,
        count(*) filter (where segment <> previous_segment) as migrations_out
    from customer_months
    where previous_segment is not null
    group by 1, 2

),

nps_by_segment as (

    select
        customer_months.month,
        customer_months.segment,
        count(*) as nps_responses,
        avg(nps.nps_score) as avg_nps,
        100.0 * (count(*) filter (where nps.nps_score >= 9) - count(*) filter (where nps.nps_score <= 6))
            / count(*) as nps
    from customer_months
    inner join nps on customer_months.customer_id = nps.customer_id and customer_months.month = nps.month
    group by 1, 2

),

final as (

    select
        grid.month,
        grid.segment,

        -- customers and value
        coalesce(by_segment.customers, 0) as customers,
        coalesce(by_segment.revenue_12m, 0) as revenue_12m,
        coalesce(by_segment.current_value_12m, 0) as current_value_12m,
        coalesce(by_segment.current_value_12m, 0)
            - lag(coalesce(by_segment.current_value_12m, 0)) over w as current_value_change,
        coalesce(by_segment.revenue_month, 0) as revenue_month,

        -- contacts and costs vs plan
        coalesce(by_segment.contacts_actual, 0) as contacts_actual,
        round(coalesce(by_segment.customers, 0) * grid.contacts_per_year / 12.0, 2) as contacts_plan,
        coalesce(by_segment.contact_cost_actual, 0) as contact_cost_actual,
        round(coalesce(by_segment.customers, 0) * grid.max_contact_cost_per_year / 12.0, 2) as contact_cost_budget,

        -- retention, reactivation, migrations
        coalesce(by_previous_segment.previous_customers, 0) as previous_customers,
        coalesce(by_previous_segment.retained_customers, 0) as retained_customers,
        round(
            by_previous_segment.retained_customers::numeric / nullif(by_previous_segment.previous_customers, 0), 4
        ) as retention_rate,
        coalesce(by_segment.reactivated_customers, 0) as reactivated_customers,
        coalesce(by_segment.migrations_in, 0) as migrations_in,
        coalesce(by_previous_segment.migrations_out, 0) as migrations_out,
        coalesce(by_segment.new_in_history, 0) as new_customers,

        -- satisfaction
        coalesce(nps_by_segment.nps_responses, 0) as nps_responses,
        round(nps_by_segment.avg_nps, 2) as avg_nps,
        round(nps_by_segment.nps, 1) as nps,

        '{{ var("model_run_id") }}' as model_run_id
    from grid
    left join by_segment on grid.month = by_segment.month and grid.segment = by_segment.segment
    left join by_previous_segment
        on grid.month = by_previous_segment.month and grid.segment = by_previous_segment.segment
    left join nps_by_segment on grid.month = nps_by_segment.month and grid.segment = nps_by_segment.segment
    window w as (partition by grid.segment order by grid.month)

)

select * from final
