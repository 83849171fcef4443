{#- One row per k-means cluster of the buyers in model run var('model_run_id'): its size, its centroid in
    the original units and a plain-words profile (ml.clusters). Clusters are numbered by mean current
    value, highest first; customer_360.cluster points here. -#}
with

profiles as (

    select * from {{ source('ml', 'cluster_profiles') }}
    where model_run_id = '{{ var("model_run_id") }}'

),

final as (

    select
        cluster,
        description as profile,
        customers,
        round(share::numeric, 4) as share_of_buyers,
        round(frequency::numeric, 2) as avg_repeat_purchases,
        round(monetary_avg::numeric, 2) as avg_spend_per_purchase,
        round(days_since_last::numeric, 0) as avg_days_since_last_purchase,
        round(tenure_days::numeric, 0) as avg_tenure_days,
        round(current_value_12m::numeric, 2) as avg_current_value_12m,
        round(organisation_share::numeric, 4) as organisation_share,
        '{{ var("model_run_id") }}' as model_run_id,
        {{ as_of() }} as as_of_date
    from profiles

)

select * from final
