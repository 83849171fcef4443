{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    schema='evaluation',
    tags=['evaluation', 'marts'],
    pre_hook="{{ delete_evaluation_month() }}",
    post_hook="analyze {{ this }}",
    indexes=[{'columns': ['month', 'customer_id'], 'unique': True}],
) }}

{#- One row per customer per evaluated month: where the customer stood at the end of the previous month
    and at the end of this one (segment, value class, 12-month value), what happened in the month
    (revenue, contacts, costs, the plan published before the month, NPS) and whether the customer was in
    the control group of that plan. CLV at both month ends comes from the same history (the fit on that
    month-end's rows), so its change can be split like the value's. Month-end states come from ml.segment_history of the model run var('model_run_id'):
    the first published run whose as-of date lies on or after the month end (chosen by the DAG), so
    re-evaluating a month later reads the same run and gives the same rows. -#}

{%- set published = var('cvm_published_schema', 'marts') -%}
{%- set has_control = published_has_columns('customer_360', ['customer_id', 'control_group']) -%}
{%- set has_plan = published_has_columns('contact_plan_history',
                                         ['as_of_date', 'customer_id', 'planned_date', 'estimated_cost', 'status',
                                          'control_group', 'is_latest_for_as_of']) -%}
{%- set has_history_clv = relation_has_columns(source('ml', 'segment_history'), ['clv_12m']) -%}
{%- set has_pressure = published_has_columns('contact_pressure',
                                             ['customer_id', 'over_contacted', 'under_contacted', 'as_of_date']) %}

with

bounds as (

    select
        {{ evaluation_month_literal() }} as month_start,
        ({{ evaluation_month_literal() }} + interval '1 month')::date as next_month_start,
        ({{ evaluation_month_literal() }} - interval '1 month')::date as previous_month_start

),

history as (

    select
        customer_id,
        month,
        value_class,
        segment,
        current_value_12m,
        revenue_12m,
        {% if has_history_clv -%} round(clv_12m, 2) {%- else -%} null::numeric {%- endif %} as clv_12m
    from {{ source('ml', 'segment_history') }}
    where model_run_id = '{{ var("model_run_id") }}'{{ only_when_evaluating() }}

),

at_end as (

    select history.* from history inner join bounds on history.month = bounds.month_start

),

at_start as (

    select history.* from history inner join bounds on history.month = bounds.previous_month_start

),

run as (

    select as_of_date from {{ source('ml', 'model_runs') }}
    where model_run_id = '{{ var("model_run_id") }}'

),

scores as (

    select
        customer_id,
        potential_score,
        clv_12m
    from {{ source('ml', 'customer_scores') }}
    where model_run_id = '{{ var("model_run_id") }}'{{ only_when_evaluating() }}

),

invoices as (

    select
        invoices.customer_id,
        sum(invoices.revenue) as revenue_month
    from {{ ref('int_invoices') }} as invoices
    inner join bounds
        on invoices.invoice_date >= bounds.month_start and invoices.invoice_date < bounds.next_month_start
    where invoices.customer_id is not null
    group by 1

),

contacts as (

    select
        moments.customer_id,
        count(*) filter (where moments.direction = 'outbound') as contacts_month,
        sum(moments.contact_cost) as contact_cost_month
    from {{ ref('int_contact_moments') }} as moments
    inner join bounds
        on moments.occurred_on >= bounds.month_start and moments.occurred_on < bounds.next_month_start
    where moments.customer_id is not null
    group by 1

),

nps as (

    select distinct on (surveys.customer_id)
        surveys.customer_id,
        surveys.nps_score
    from {{ ref('int_surveys') }} as surveys
    inner join bounds
        on
            {{ local_date('surveys.responded_at') }} >= bounds.month_start
            and {{ local_date('surveys.responded_at') }} < bounds.next_month_start
    where surveys.customer_id is not null and surveys.nps_score is not null
    order by surveys.customer_id asc, surveys.responded_at desc, surveys.survey_id desc  -- noqa: AM06

),

plan_published as (

    {% if has_plan -%}
    -- the plan as it was published last before the month began
        select max(as_of_date) as plan_as_of
        from {{ published }}.contact_plan_history
        where as_of_date < (select month_start from bounds)  -- noqa: RF02
    {%- else -%}
        select null::date as plan_as_of
    {%- endif %}

),

plan as (

    {% if has_plan -%}
        -- its last version (a re-run for the same as-of date publishes another); only contacts it planned
        -- to send (not the suppressed ones, nor those withheld from the control group)
        select
            history.customer_id,
            count(*) as planned_contacts_month,
            sum(history.estimated_cost) as planned_cost_month
        from {{ published }}.contact_plan_history as history
        inner join bounds
            on history.planned_date >= bounds.month_start and history.planned_date < bounds.next_month_start
        inner join plan_published on history.as_of_date = plan_published.plan_as_of
        where history.is_latest_for_as_of and history.status = 'planned'
        group by 1
    {%- else -%}
        select
            null::text as customer_id,
            null::bigint as planned_contacts_month,
            null::numeric as planned_cost_month
        where false
    {%- endif %}

),

control as (

    -- the control group of the plan published for the month (customers it left out were in no group);
    -- before any plan was published, the group as published now (a stable hash: only a segment change moves it)
    {% if has_plan -%}
        select
            history.customer_id,
            bool_or(history.control_group) as control_group
        from {{ published }}.contact_plan_history as history
        inner join plan_published on history.as_of_date = plan_published.plan_as_of
        where history.is_latest_for_as_of
        group by 1
        union all
    {% endif -%}
    {% if has_control -%}
        select
            customer_id,
            control_group
        from {{ published }}.customer_360
        where (select plan_as_of from plan_published) is null  -- noqa: RF02
    {%- else -%}
        select
            null::text as customer_id,
            null::boolean as control_group
        where false
    {%- endif %}

),

pressure as (

    {% if has_pressure -%}
    select customer_id, over_contacted, under_contacted, as_of_date as pressure_as_of
    from {{ published }}.contact_pressure
    {%- else -%}
        select
            null::text as customer_id,
            null::boolean as over_contacted,
            null::boolean as under_contacted,
            null::date as pressure_as_of
        where false
    {%- endif %}

),

customers as (

    select
        coalesce(at_end.customer_id, at_start.customer_id) as customer_id,
        at_start.segment as segment_start,
        at_end.segment,
        at_start.value_class as value_class_start,
        at_end.value_class,
        at_start.current_value_12m as value_start,
        at_end.current_value_12m as value_end,
        at_start.clv_12m as clv_start,
        at_end.clv_12m as clv_end,
        at_end.revenue_12m as revenue_12m_end
    from at_end
    full outer join at_start on at_end.customer_id = at_start.customer_id

),

final as (

    select
        -- ids
        bounds.month_start as month,
        customers.customer_id,

        -- where the customer stood at the previous and at this month end
        customers.segment_start,
        customers.segment,
        customers.value_class_start,
        customers.value_class,
        customers.value_start,
        customers.value_end,
        customers.clv_start,
        customers.clv_end,
        customers.revenue_12m_end,
        scores.potential_score,
        scores.clv_12m,

        -- what happened in the month
        coalesce(invoices.revenue_month, 0) as revenue_month,
        coalesce(contacts.contacts_month, 0) as contacts_month,
        coalesce(contacts.contact_cost_month, 0) as contact_cost_month,
        case when plan_published.plan_as_of is not null then coalesce(plan.planned_contacts_month, 0) end
            as planned_contacts_month,
        case when plan_published.plan_as_of is not null then coalesce(plan.planned_cost_month, 0) end
            as planned_cost_month,
        plan_published.plan_as_of,
        nps.nps_score,

        -- strategy
        control.control_group,
        pressure.over_contacted,
        pressure.under_contacted,
        pressure.pressure_as_of,

        -- lineage
        '{{ var("model_run_id") }}' as model_run_id,
        (select as_of_date from run) as run_as_of  -- noqa: RF02
    from customers
    cross join bounds
    cross join plan_published
    left join scores on customers.customer_id = scores.customer_id
    left join invoices on customers.customer_id = invoices.customer_id
    left join contacts on customers.customer_id = contacts.customer_id
    left join nps on customers.customer_id = nps.customer_id
    left join control on customers.customer_id = control.customer_id
    left join plan on customers.customer_id = plan.customer_id
    left join pressure on customers.customer_id = pressure.customer_id

)

select * from final
