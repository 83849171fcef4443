{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    schema='evaluation',
    tags=['evaluation', 'marts'],
    pre_hook="{{ delete_evaluation_month() }}",
    indexes=[{'columns': ['month', 'from_segment', 'to_segment'], 'unique': True}],
) }}

{#- The migration matrix of an evaluated month: customers (and their 12-month value at both ends) from the
    segment at the previous month end to the segment at this month end. '(new)' marks customers who were
    not known yet at the previous month end; '(gone)' customers who disappeared (merged identities). -#}

with

customer_months as (

    select * from {{ ref('evaluation_customer_months') }}
    where month = {{ evaluation_month_literal() }}{{ only_when_evaluating() }}

),

final as (

    select
        month,
        coalesce(segment_start, '(new)') as from_segment,
        coalesce(segment, '(gone)') as to_segment,
        count(*) as customers,
        coalesce(sum(value_start), 0) as value_from,
        coalesce(sum(value_end), 0) as value_to,
        '{{ var("model_run_id") }}' as model_run_id
    from customer_months
    group by 1, 2, 3

)

select * from final
