{{ config(indexes=[{'columns': ['customer_id', 'planned_date']}]) }}

{#- Planned contact moments for the 12 months after the as-of date, per customer:
    - cadence: the segment's contacts_per_year spread evenly over the year (each customer gets its own
      deterministic offset, so not every customer of a segment is called on the same day), on the first
      channel of the strategy that the customer's consent allows;
    - triggers: a follow-up the day after the as-of date for a complaint in the last
      var('complaint_window_days') days, and the relationship anniversary of first_seen_at (for the
      goals in var('anniversary_goals')).
    The total estimated cost per customer is capped by the segment's max_contact_cost_per_year:
    triggers come first, then the cadence in date order; moments beyond the budget are left out. -#}
with

customers as (

    select
        customer_id,
        email_opt_in,
        phone_opt_in,
        postcode is not null or street is not null as has_address,
        {{ local_date('first_seen_at') }} as first_seen_on
    from {{ ref('dim_customer') }}

),

segments as (

    select
        customer_id,
        segment
    from {{ ref('customer_segments') }}

),

strategy as (

    select * from {{ ref('contact_strategy') }}

),

costs as (

    select
        channel,
        cost_per_contact
    from {{ ref('channel_costs') }}
    where direction = 'outbound'

),

customer_strategy as (

    select
        customers.customer_id,
        customers.first_seen_on,
        segments.segment,
        strategy.goal,
        strategy.contacts_per_year,
        strategy.max_contact_cost_per_year,
        {{ first_allowed_channel('strategy.channels', 'customers.email_opt_in', 'customers.phone_opt_in',
                                 'customers.has_address') }} as cadence_channel,
        {{ first_allowed_channel("'" ~ var('complaint_followup_channels') ~ "'", 'customers.email_opt_in',
                                 'customers.phone_opt_in', 'customers.has_address') }} as follow_up_channel,
        {{ first_allowed_channel("'" ~ var('anniversary_channels') ~ "'", 'customers.email_opt_in',
                                 'customers.phone_opt_in', 'customers.has_address') }} as anniversary_channel,
        -- 0 .. 1: where in each cadence interval this customer's moments fall
        ((('x' || substr(md5(customers.customer_id), 1, 8))::bit(32)::bigint & 2147483647) % 1000) / 1000.0
            as cadence_offset
    from customers
    inner join segments on customers.customer_id = segments.customer_id
    inner join strategy on segments.segment = strategy.segment

),

cadence as (

    select
        customer_strategy.customer_id,
        (
            {{ as_of() }} + 1
            + floor(
                (moment.n - 1 + customer_strategy.cadence_offset) * 365.0 / customer_strategy.contacts_per_year
            )::int
        ) as planned_date,
        customer_strategy.cadence_channel as channel,
        'cadence' as reason,
        2 as priority
    from customer_strategy
    cross join lateral generate_series(1, customer_strategy.contacts_per_year) as moment (n)
    where customer_strategy.cadence_channel is not null and customer_strategy.contacts_per_year > 0

),

recent_complaints as (

    select
        customer_id,
        max(created_on) as last_complaint_on
    from {{ ref('int_tickets') }}
    where
        is_complaint
        and customer_id is not null
        and created_on > {{ as_of() }} - {{ var('complaint_window_days') }}
    group by customer_id

),

complaint_follow_ups as (

    select
        customer_strategy.customer_id,
        {{ as_of() }} + 1 as planned_date,
        customer_strategy.follow_up_channel as channel,
        'complaint_follow_up' as reason,
        1 as priority
    from customer_strategy
    inner join recent_complaints on customer_strategy.customer_id = recent_complaints.customer_id
    where customer_strategy.follow_up_channel is not null

),

anniversaries as (

    select
        customer_strategy.customer_id,
        (customer_strategy.first_seen_on + make_interval(years => years_later.n))::date as planned_date,
        customer_strategy.anniversary_channel as channel,
        'anniversary' as reason,
        1 as priority
    from customer_strategy
    cross join
        lateral generate_series(
            greatest(
                extract(year from {{ as_of() }})::int
                - extract(year from customer_strategy.first_seen_on)::int, 1
            ),
            extract(year from {{ as_of() }})::int
            - extract(year from customer_strategy.first_seen_on)::int + 1
        ) as years_later (n)
    where
        customer_strategy.anniversary_channel is not null
        and customer_strategy.goal in (
            {% for goal in var('anniversary_goals') %}                '{{ goal }}'{{ ", " if not loop.last }}                {% endfor %}
        )
        and (customer_strategy.first_seen_on + make_interval(years => years_later.n))::date
        > {{ as_of() }}
        and (customer_strategy.first_seen_on + make_interval(years => years_later.n))::date
        <= {{ as_of() }} + interval '12 months'

),

planned as (

    select * from complaint_follow_ups
    union all
    select * from anniversaries
    union all
    select * from cadence

),

costed as (

    select
        planned.customer_id,
        planned.planned_date,
        planned.channel,
        planned.reason,
        coalesce(costs.cost_per_contact, 0) as estimated_cost,
        customer_strategy.segment,
        customer_strategy.goal,
        customer_strategy.max_contact_cost_per_year,
        sum(coalesce(costs.cost_per_contact, 0)) over (
            partition by planned.customer_id
            order by planned.priority, planned.planned_date, planned.reason
            rows between unbounded preceding and current row
        ) as cumulative_cost,
        row_number() over (
            partition by planned.customer_id
            order by planned.planned_date, planned.priority, planned.reason
        ) as moment_number
    from planned
    inner join customer_strategy on planned.customer_id = customer_strategy.customer_id
    left join costs on planned.channel = costs.channel

),

final as (

    select
        customer_id || ':' || moment_number as contact_plan_id,
        customer_id,
        planned_date,
        channel,
        'outbound' as direction,
        reason,
        estimated_cost,
        cumulative_cost,
        segment,
        goal,
        {{ as_of() }} as as_of_date,
        '{{ var("model_run_id") }}' as model_run_id
    from costed
    where cumulative_cost <= max_contact_cost_per_year

)

select * from final
