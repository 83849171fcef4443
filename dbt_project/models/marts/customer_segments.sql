{#- Segment per customer (value x potential matrix) of var('model_run_id'), and since when the
    customer has been in it: the first month of the current uninterrupted run of that segment in
    ml.segment_history. -#}
with

customers as (

    select customer_id from {{ ref('dim_customer') }}

),

scores as (

    select customer_id, value_class, potential_class, segment
    from {{ source('ml', 'customer_scores') }}
    where model_run_id = '{{ var("model_run_id") }}'

),

history as (

    select customer_id, month, segment
    from {{ source('ml', 'segment_history') }}
    where model_run_id = '{{ var("model_run_id") }}'
        and month <= {{ as_of() }}

),

changes as (

    select
        customer_id,
        month,
        segment,
        -- a new run starts at a change of segment or after a gap of months
        case
            when segment is distinct from lag(segment) over (partition by customer_id order by month)
                or lag(month) over (partition by customer_id order by month) <> month - interval '1 month'
                then 1
            else 0
        end as is_run_start
    from history

),

runs as (

    select
        customer_id,
        month,
        segment,
        sum(is_run_start) over (partition by customer_id order by month) as run_number
    from changes

),

current_run as (

    select distinct on (customer_id)
        customer_id,
        segment as last_segment,
        run_number
    from runs
    order by customer_id asc, month desc

),

run_start as (

    select
        runs.customer_id,
        current_run.last_segment,
        min(runs.month) as run_started_on
    from runs
    inner join current_run
        on runs.customer_id = current_run.customer_id and runs.run_number = current_run.run_number
    group by runs.customer_id, current_run.last_segment

),

final as (

    select
        customers.customer_id,
        scores.value_class,
        scores.potential_class,
        scores.segment,
        case
            when run_start.last_segment = scores.segment then run_start.run_started_on
            else date_trunc('month', {{ as_of() }})::date
        end as segment_since,
        '{{ var("model_run_id") }}' as model_run_id,
        {{ as_of() }} as as_of_date
    from customers
    left join scores on customers.customer_id = scores.customer_id
    left join run_start on customers.customer_id = run_start.customer_id

)

select * from final
