{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    schema='evaluation',
    tags=['evaluation', 'marts'],
    pre_hook="{{ delete_evaluation_month() }}",
    indexes=[{'columns': ['month', 'segment'], 'unique': True}],
) }}

{#- One row per evaluated month x segment of the strategy (also when the segment is empty):
    - customers and 12-month value at the month end, and the value change split into the same customers'
      growth and the value that moved in and out with customers changing segment
      (value_change = same_customers_growth + migration_in_value - migration_out_value), and the same split of
      the CLV at both month ends (clv_change = clv_same_customers_growth + clv_migration_in - clv_migration_out;
      a customer without a CLV, who never bought, counts 0);
    - contacts and costs of the month against the plan published before the month (or, without a plan
      history, the strategy's cadence: contacts_per_year / 12 per customer), grouped by the segment the
      customer had at the start of the month (the one the plan was made for);
    - retention, reactivation, NPS, and the goal: its KPI (seeds/segment_goals.csv) against the target,
      reached or missed, and since which month without interruption. -#}

with

customer_months as (

    select * from {{ ref('evaluation_customer_months') }}
    where month = {{ evaluation_month_literal() }}{{ only_when_evaluating() }}

),

strategy as (

    select
        segment,
        goal,
        contacts_per_year,
        max_contact_cost_per_year
    from {{ ref('contact_strategy') }}

),

goals as (

    select
        goal,
        kpi,
        target,
        direction
    from {{ ref('segment_goals') }}

),

grid as (

    select
        {{ evaluation_month_literal() }} as month,
        strategy.*,
        goals.kpi,
        goals.target,
        goals.direction
    from strategy
    left join goals on strategy.goal = goals.goal
    where true{{ only_when_evaluating() }}

),

at_end as (

    select
        segment,
        count(*) as customers,
        sum(value_end) as value_end,
        sum(clv_12m) as clv_12m,
        coalesce(sum(clv_end), 0) as clv_end,
        coalesce(sum(coalesce(clv_end, 0)) filter (where segment_start is distinct from segment), 0)
            as clv_migration_in,
        coalesce(sum(coalesce(clv_end, 0) - coalesce(clv_start, 0)) filter (where segment_start = segment), 0)
            as clv_same_customers_growth,
        count(*) filter (where segment_start is null) as new_customers,
        count(*) filter (where segment_start is distinct from segment) as migrations_in,
        coalesce(sum(value_end) filter (where segment_start is distinct from segment), 0) as migration_in_value,
        coalesce(sum(value_end - value_start) filter (where segment_start = segment), 0) as same_customers_growth,
        sum(value_start) filter (where segment_start = segment) as same_customers_value_start,
        count(nps_score) as nps_responses,
        avg(nps_score) as avg_nps,
        100.0 * (count(*) filter (where nps_score >= 9) - count(*) filter (where nps_score <= 6))
        / nullif(count(nps_score), 0) as nps,
        count(*) filter (where over_contacted) as over_contacted,
        count(*) filter (where under_contacted) as under_contacted,
        max(pressure_as_of) as pressure_as_of
    from customer_months
    where segment is not null
    group by 1

),

at_start as (

    select
        segment_start as segment,
        count(*) as customers_start,
        sum(value_start) as value_start,
        count(*) filter (where value_class is not null and value_class <> 'none') as retained_customers,
        count(*) filter (where segment is distinct from segment_start) as migrations_out,
        coalesce(sum(value_start) filter (where segment is distinct from segment_start), 0) as migration_out_value,
        coalesce(sum(clv_start), 0) as clv_start,
        coalesce(sum(coalesce(clv_start, 0)) filter (where segment is distinct from segment_start), 0)
            as clv_migration_out,
        count(*) filter (where value_class_start = 'none') as reactivation_base,
        count(*) filter (where value_class_start = 'none' and value_class <> 'none') as reactivated_customers
    from customer_months
    where segment_start is not null
    group by 1

),

contacts as (

    -- new customers of the month count where they ended up
    select
        coalesce(segment_start, segment) as segment,
        count(*) as contact_base,
        sum(revenue_month) as revenue_month,
        sum(contacts_month) as contacts_actual,
        sum(contact_cost_month) as contact_cost_actual,
        max(plan_as_of) as plan_as_of,
        sum(coalesce(planned_contacts_month, 0)) as planned_contacts,
        sum(coalesce(planned_cost_month, 0)) as planned_cost
    from customer_months
    group by 1

),

measured as (

    select
        grid.month,
        grid.segment,
        grid.goal,

        -- customers and value
        coalesce(at_end.customers, 0) as customers,
        coalesce(at_start.customers_start, 0) as customers_start,
        coalesce(at_end.new_customers, 0) as new_customers,
        coalesce(at_start.value_start, 0) as value_start,
        coalesce(at_end.value_end, 0) as value_end,
        coalesce(at_end.value_end, 0) - coalesce(at_start.value_start, 0) as value_change,
        coalesce(at_end.same_customers_growth, 0) as same_customers_growth,
        coalesce(at_end.migration_in_value, 0) as migration_in_value,
        coalesce(at_start.migration_out_value, 0) as migration_out_value,
        coalesce(at_end.clv_12m, 0) as clv_12m,
        coalesce(at_start.clv_start, 0) as clv_start,
        coalesce(at_end.clv_end, 0) as clv_end,
        coalesce(at_end.clv_end, 0) - coalesce(at_start.clv_start, 0) as clv_change,
        coalesce(at_end.clv_same_customers_growth, 0) as clv_same_customers_growth,
        coalesce(at_end.clv_migration_in, 0) as clv_migration_in,
        coalesce(at_start.clv_migration_out, 0) as clv_migration_out,
        coalesce(at_end.migrations_in, 0) as migrations_in,
        coalesce(at_start.migrations_out, 0) as migrations_out,

        -- contacts and costs against the plan
        coalesce(contacts.revenue_month, 0) as revenue_month,
        coalesce(contacts.contacts_actual, 0) as contacts_actual,
        coalesce(contacts.contact_cost_actual, 0) as contact_cost_actual,
        case
            when contacts.plan_as_of is not null then contacts.planned_contacts
            else round(coalesce(contacts.contact_base, 0) * grid.contacts_per_year / 12.0, 2)
        end as contacts_plan,
        case
            when contacts.plan_as_of is not null then contacts.planned_cost
            else round(coalesce(contacts.contact_base, 0) * grid.max_contact_cost_per_year / 12.0, 2)
        end as contact_cost_plan,
        case when contacts.plan_as_of is not null then 'published plan' else 'strategy cadence' end as plan_source,
        contacts.plan_as_of,
        round(contacts.contact_cost_actual / nullif(contacts.contact_base, 0), 2) as cost_to_serve,
        round(coalesce(contacts.contact_cost_actual, 0) / nullif(greatest(at_end.value_end, 0) / 12.0, 0), 4)
            as contact_cost_per_value_euro,
        coalesce(at_end.over_contacted, 0) as over_contacted,
        coalesce(at_end.under_contacted, 0) as under_contacted,
        at_end.pressure_as_of,

        -- retention and reactivation
        coalesce(at_start.retained_customers, 0) as retained_customers,
        round(at_start.retained_customers::numeric / nullif(at_start.customers_start, 0), 4) as retention_rate,
        coalesce(at_start.reactivation_base, 0) as reactivation_base,
        coalesce(at_start.reactivated_customers, 0) as reactivated_customers,
        round(at_start.reactivated_customers::numeric / nullif(at_start.reactivation_base, 0), 4)
            as reactivation_rate,
        round(at_end.same_customers_growth / nullif(abs(at_end.same_customers_value_start), 0), 4) as value_growth,

        -- satisfaction
        coalesce(at_end.nps_responses, 0) as nps_responses,
        round(at_end.avg_nps, 2) as avg_nps,
        round(at_end.nps, 1) as nps,

        -- goal
        grid.kpi,
        grid.target,
        grid.direction
    from grid
    left join at_end on grid.segment = at_end.segment
    left join at_start on grid.segment = at_start.segment
    left join contacts on grid.segment = contacts.segment

),

judged as (

    select
        measured.*,
        case measured.kpi
            when 'retention_rate' then measured.retention_rate
            when 'value_growth' then measured.value_growth
            when 'reactivation_rate' then measured.reactivation_rate
            when 'cost_to_serve' then measured.cost_to_serve
        end as kpi_value
    from measured

),

final as (

    select
        judged.*,
        case
            when judged.kpi_value is null then 'no data'
            when judged.direction = 'at_least' and judged.kpi_value >= judged.target then 'reached'
            when judged.direction = 'at_most' and judged.kpi_value <= judged.target then 'reached'
            else 'missed'
        end as goal_status
    from judged

)

select
    final.*,
    {% if is_incremental() -%}
        case
            when previous.goal_status = final.goal_status then previous.goal_status_since
            else final.month
        end
    {%- else -%}
        final.month
    {%- endif %} as goal_status_since,
    '{{ var("model_run_id") }}' as model_run_id
from final
{% if is_incremental() -%}
    left join {{ this }} as previous
        on
            final.segment = previous.segment
            and previous.month = (final.month - interval '1 month')::date
{%- endif %}
