{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    schema='evaluation',
    tags=['evaluation', 'marts'],
    pre_hook="{{ delete_evaluation_month() }}",
    indexes=[{'columns': ['month', 'segment', 'metric'], 'unique': True}],
) }}

{#- What the contact strategy adds, per evaluated month x segment (the segment at the start of the month,
    when the plan was made) x metric: the treated group minus the control group held out of cadence
    contacts, with a normal-approximation confidence interval (z from seeds/evaluation_settings.csv) and
    both group sizes. Metrics: retention (still buying at the month end, 0/1), revenue per customer in the
    month, value development (change of the 12-month value over the month). 'not enough data' when either
    group is smaller than min_group_size; 'no control group' when control groups are not published. -#}

with

settings as (

    select
        max(value) filter (where key = 'min_group_size') as min_group_size,
        max(value) filter (where key = 'confidence_z') as confidence_z
    from {{ ref('evaluation_settings') }}

),

customer_months as (

    select * from {{ ref('evaluation_customer_months') }}
    where month = {{ evaluation_month_literal() }}{{ only_when_evaluating() }} and segment_start is not null

),

observations as (

    select
        segment_start as segment,
        control_group,
        'retention' as metric,
        case when value_class is not null and value_class <> 'none' then 1.0 else 0.0 end as observed
    from customer_months
    union all
    select
        segment_start,
        control_group,
        'revenue_per_customer',  -- noqa: AL03
        revenue_month
    from customer_months
    union all
    select
        segment_start,
        control_group,
        'value_development',  -- noqa: AL03
        coalesce(value_end, 0) - value_start  -- noqa: AL03
    from customer_months

),

groups as (

    select
        segment,
        metric,
        count(*) filter (where control_group is false) as treated_customers,
        count(*) filter (where control_group) as control_customers,
        count(control_group) as customers_with_group,
        avg(observed) filter (where control_group is false) as treated_mean,
        avg(observed) filter (where control_group) as control_mean,
        var_samp(observed) filter (where control_group is false) as treated_variance,
        var_samp(observed) filter (where control_group) as control_variance
    from observations
    group by 1, 2

),

grid as (

    select
        {{ evaluation_month_literal() }} as month,
        strategy.segment,
        metrics.metric
    from {{ ref('contact_strategy') }} as strategy
    cross join (values ('retention'), ('revenue_per_customer'), ('value_development')) as metrics (metric)
    where true{{ only_when_evaluating() }}

),

judged as (

    select
        grid.month,
        grid.segment,
        grid.metric,
        coalesce(groups.treated_customers, 0) as treated_customers,
        coalesce(groups.control_customers, 0) as control_customers,
        case
            when (select count(control_group) from customer_months) = 0 then 'no control group'  -- noqa: RF02
            when
                coalesce(groups.treated_customers, 0) < settings.min_group_size
                or coalesce(groups.control_customers, 0) < settings.min_group_size then 'not enough data'
            else 'ok'
        end as status,
        groups.treated_mean,
        groups.control_mean,
        groups.treated_mean - groups.control_mean as uplift,
        sqrt(
            groups.treated_variance / nullif(groups.treated_customers, 0)
            + groups.control_variance / nullif(groups.control_customers, 0)
        ) as standard_error,
        settings.confidence_z
    from grid
    cross join settings
    left join groups on grid.segment = groups.segment and grid.metric = groups.metric

),

final as (

    select
        month,
        segment,
        metric,
        treated_customers,
        control_customers,
        status,
        case when status = 'ok' then round(treated_mean, 4) end as treated_mean,
        case when status = 'ok' then round(control_mean, 4) end as control_mean,
        case when status = 'ok' then round(uplift, 4) end as uplift,
        case when status = 'ok' then round(uplift - confidence_z * standard_error, 4) end as ci_low,
        case when status = 'ok' then round(uplift + confidence_z * standard_error, 4) end as ci_high,
        confidence_z,
        '{{ var("model_run_id") }}' as model_run_id
    from judged

)

select * from final
