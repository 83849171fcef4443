{{
    config(
        indexes=[
            {'columns': ['customer_id', 'feature_date'], 'unique': true},
            {'columns': ['feature_date']},
        ],
        pre_hook="set local work_mem = '128MB'",
    )
}}

{#- One row per customer per cut-off: the as-of date, the 11 month-ends before it (history),
    as_of - 12 months (churn_cut_off: the value and churn models' fit date, judged against the as-of row)
    and as_of - 24 months (training_cut_off: the date they are first trained and checked out of time on,
    judged against the churn_cut_off row). Every figure uses only what was known on the
    cut-off: facts dated up to it, credits known by it (macro billable), payments made by it, responses
    received by it. A "12m" window is (cut-off - 12 months, cut-off]. The purchase-day summary is the
    BG/NBD one, in days: a purchase is a customer-day with positive billable revenue; frequency = purchase
    days - 1, recency_days = last - first purchase (t_x), t_days = cut-off - first purchase (T),
    monetary_avg = mean revenue of the repeat purchase days (the first one left out, as Gamma-Gamma
    does). Windowed counts are differences of running totals at the cut-offs' boundaries, so the cost is
    one pass over the facts, not one per month. -#}
with

cut_offs as (

    select
        cut_off.feature_date,
        cut_off.cut_off_kind,
        (cut_off.feature_date - interval '12 months')::date as window_start,
        (cut_off.feature_date - interval '24 months')::date as previous_window_start
    from (
        select
            {{ as_of() }} as feature_date,
            'as_of' as cut_off_kind
        union all
        select
            (
                date_trunc('month', {{ as_of() }}) - make_interval(months => months_back.n - 1)
                - interval '1 day'
            )::date,
            'month_end'  -- noqa: AL03
        from generate_series(1, 11) as months_back (n)
        union all
        select
            ({{ as_of() }} - interval '12 months')::date,
            'churn_cut_off'  -- noqa: AL03
        union all
        select
            ({{ as_of() }} - interval '24 months')::date,
            'training_cut_off'  -- noqa: AL03
    ) as cut_off

),

boundaries as (

    select
        boundary,
        row_number() over (order by boundary) as boundary_index
    from (
        select feature_date as boundary from cut_offs
        union
        select window_start from cut_offs
    ) as dates

),

thresholds as (

    -- width_bucket(d, day_after) + 1 = k for d in (boundary k-1, boundary k]
    select array_agg(boundary + 1 order by boundary) as day_after from boundaries

),

customers as (

    select
        customer_id,
        customer_type,
        {{ local_date('first_seen_at') }} as first_seen_on
    from {{ ref('int_customers') }}

),

-- purchases: customer-days with their credit dates, at every cut-off on or after the day ------------------

invoice_days as (

    select
        customer_id,
        invoice_date as purchase_on,
        credited_on,
        sum(coalesce(amount_excl_vat, 0)) as amount,
        sum(coalesce(cost_amount, 0)) as cost_amount
    from {{ ref('int_invoices') }}
    where customer_id is not null
    group by customer_id, invoice_date, credited_on

),

days_at_cut_off as (

    select
        cut_offs.feature_date,
        cut_offs.window_start,
        cut_offs.previous_window_start,
        invoice_days.customer_id,
        invoice_days.purchase_on,
        sum({{ billable('invoice_days.amount', 'invoice_days.credited_on', 'cut_offs.feature_date') }}) as revenue,
        sum({{ billable('invoice_days.cost_amount', 'invoice_days.credited_on', 'cut_offs.feature_date') }})
            as cost
    from cut_offs
    inner join invoice_days on cut_offs.feature_date >= invoice_days.purchase_on
    group by 1, 2, 3, 4, 5  -- noqa: AM06

),

purchases as (

    select
        feature_date,
        customer_id,
        sum(revenue) filter (where purchase_on > window_start) as revenue_12m,
        sum(cost) filter (where purchase_on > window_start) as cost_12m,
        sum(revenue) filter (
            where purchase_on > previous_window_start and purchase_on <= window_start
        ) as revenue_previous_12m,
        sum(revenue - cost) filter (
            where purchase_on > previous_window_start and purchase_on <= window_start
        ) as margin_previous_12m,
        count(*) filter (where revenue > 0 and purchase_on > window_start) as purchase_days_12m,
        count(*) filter (where revenue > 0) as purchase_days,
        min(purchase_on) filter (where revenue > 0) as first_purchase_on,
        max(purchase_on) filter (where revenue > 0) as last_purchase_on,
        sum(revenue) filter (where revenue > 0) as revenue_total,
        sum(revenue - cost) filter (where revenue > 0) as margin_total,
        -- revenue and margin of the earliest purchase day (one day per customer and cut-off, so no ties)
        (min(array[purchase_on - date '1900-01-01', revenue, revenue - cost]) filter (where revenue > 0))[2]
            as first_purchase_revenue,
        (min(array[purchase_on - date '1900-01-01', revenue, revenue - cost]) filter (where revenue > 0))[3]
            as first_purchase_margin
    from days_at_cut_off
    group by feature_date, customer_id

),

-- contacts, tickets and payments: running totals per customer at each boundary date -----------------------

events as (

    select
        customer_id,
        occurred_on as event_on,
        1 as contacts,
        (direction = 'outbound')::int as outbound_contacts,
        (direction = 'inbound')::int as inbound_contacts,
        contact_cost,
        0 as tickets,
        0 as complaints,
        0 as payments,
        0 as payment_delay_days
    from {{ ref('int_contact_moments') }}
    where customer_id is not null
    union all
    select
        customer_id,
        created_on,
        0,  -- noqa: AL03
        0,  -- noqa: AL03
        0,  -- noqa: AL03
        0,  -- noqa: AL03
        1,  -- noqa: AL03
        is_complaint::int,
        0,  -- noqa: AL03
        0  -- noqa: AL03
    from {{ ref('int_tickets') }}
    where customer_id is not null
    union all
    -- a payment is known on its paid date; delay = days paid after the due date (negative: early)
    select
        customer_id,
        paid_date,
        0,  -- noqa: AL03
        0,  -- noqa: AL03
        0,  -- noqa: AL03
        0,  -- noqa: AL03
        0,  -- noqa: AL03
        0,  -- noqa: AL03
        1,  -- noqa: AL03
        paid_date - due_date  -- noqa: AL03
    from {{ ref('int_invoices') }}
    where customer_id is not null and paid_date is not null and due_date is not null

),

bucketed as (

    select
        events.customer_id,
        width_bucket(events.event_on, thresholds.day_after) + 1 as boundary_index,
        sum(events.contacts) as contacts,
        sum(events.outbound_contacts) as outbound_contacts,
        sum(events.inbound_contacts) as inbound_contacts,
        sum(events.contact_cost) as contact_cost,
        sum(events.tickets) as tickets,
        sum(events.complaints) as complaints,
        sum(events.payments) as payments,
        sum(events.payment_delay_days) as payment_delay_days,
        max(events.event_on) filter (where events.contacts = 1) as last_contact_on
    from events
    cross join thresholds
    where events.event_on is not null
    group by 1, 2  -- noqa: AM06

),

running as (

    select
        event_customers.customer_id,
        boundaries.boundary,
        sum(coalesce(bucketed.contacts, 0)) over w as contacts,
        sum(coalesce(bucketed.outbound_contacts, 0)) over w as outbound_contacts,
        sum(coalesce(bucketed.inbound_contacts, 0)) over w as inbound_contacts,
        sum(coalesce(bucketed.contact_cost, 0)) over w as contact_cost,
        sum(coalesce(bucketed.tickets, 0)) over w as tickets,
        sum(coalesce(bucketed.complaints, 0)) over w as complaints,
        sum(coalesce(bucketed.payments, 0)) over w as payments,
        sum(coalesce(bucketed.payment_delay_days, 0)) over w as payment_delay_days,
        max(bucketed.last_contact_on) over w as last_contact_on
    from (select distinct customer_id from bucketed) as event_customers
    cross join boundaries
    left join bucketed  -- noqa: AL04
        on
            event_customers.customer_id = bucketed.customer_id
            and boundaries.boundary_index = bucketed.boundary_index
    window w as (partition by event_customers.customer_id order by boundaries.boundary_index)

),

activity as (

    select
        cut_offs.feature_date,
        at_cut_off.customer_id,
        at_cut_off.contacts - at_start.contacts as contacts_12m,
        at_cut_off.outbound_contacts - at_start.outbound_contacts as outbound_contacts_12m,
        at_cut_off.inbound_contacts - at_start.inbound_contacts as inbound_contacts_12m,
        at_cut_off.contact_cost - at_start.contact_cost as contact_cost_12m,
        at_cut_off.tickets - at_start.tickets as tickets_12m,
        at_cut_off.complaints - at_start.complaints as complaints_12m,
        at_cut_off.payments - at_start.payments as payments_12m,
        round(
            (at_cut_off.payment_delay_days - at_start.payment_delay_days)::numeric
            / nullif(at_cut_off.payments - at_start.payments, 0), 1
        ) as avg_payment_delay_days_12m,
        at_cut_off.last_contact_on
    from cut_offs
    inner join running as at_cut_off on cut_offs.feature_date = at_cut_off.boundary
    inner join running as at_start
        on
            at_cut_off.customer_id = at_start.customer_id
            and cut_offs.window_start = at_start.boundary

),

-- satisfaction: the last NPS response received by the cut-off ---------------------------------------------

nps as (

    select distinct on (cut_offs.feature_date, surveys.customer_id)
        cut_offs.feature_date,
        surveys.customer_id,
        surveys.nps_score as last_nps,
        surveys.responded_at as last_nps_at
    from {{ ref('int_surveys') }} as surveys
    inner join cut_offs on {{ local_date('surveys.responded_at') }} <= cut_offs.feature_date
    where surveys.customer_id is not null and surveys.nps_score is not null
    order by cut_offs.feature_date asc, surveys.customer_id asc, surveys.responded_at desc, surveys.survey_id desc

),

joined as (

    select
        customers.customer_id,
        customers.customer_type,
        cut_offs.feature_date,
        cut_offs.cut_off_kind,
        customers.first_seen_on,
        purchases.first_purchase_on,
        purchases.last_purchase_on,
        least(customers.first_seen_on, purchases.first_purchase_on) as known_since,
        coalesce(purchases.revenue_12m, 0) as revenue_12m,
        coalesce(purchases.cost_12m, 0) as cost_12m,
        coalesce(activity.contact_cost_12m, 0) as contact_cost_12m,
        coalesce(purchases.revenue_previous_12m, 0) as revenue_previous_12m,
        coalesce(purchases.margin_previous_12m, 0) as margin_previous_12m,
        coalesce(purchases.purchase_days_12m, 0) as purchase_days_12m,
        coalesce(purchases.purchase_days, 0) as purchase_days,
        coalesce(purchases.revenue_total, 0) as revenue_total,
        coalesce(purchases.margin_total, 0) as margin_total,
        purchases.first_purchase_revenue,
        purchases.first_purchase_margin,
        coalesce(activity.contacts_12m, 0) as contacts_12m,
        coalesce(activity.outbound_contacts_12m, 0) as outbound_contacts_12m,
        coalesce(activity.inbound_contacts_12m, 0) as inbound_contacts_12m,
        activity.last_contact_on,
        coalesce(activity.tickets_12m, 0) as tickets_12m,
        coalesce(activity.complaints_12m, 0) as complaints_12m,
        coalesce(activity.payments_12m, 0) as payments_12m,
        activity.avg_payment_delay_days_12m,
        nps.last_nps,
        nps.last_nps_at
    from customers
    cross join cut_offs
    left join purchases
        on customers.customer_id = purchases.customer_id and cut_offs.feature_date = purchases.feature_date
    left join activity
        on customers.customer_id = activity.customer_id and cut_offs.feature_date = activity.feature_date
    left join nps
        on customers.customer_id = nps.customer_id and cut_offs.feature_date = nps.feature_date

),

final as (

    select
        -- grain
        customer_id,
        feature_date,
        date_trunc('month', feature_date)::date as feature_month,
        cut_off_kind,
        customer_type,

        -- relationship
        first_seen_on,
        known_since,
        greatest(feature_date - known_since, 0) as tenure_days,

        -- value over the 12m window
        revenue_12m,
        cost_12m,
        revenue_12m - cost_12m as margin_12m,
        contact_cost_12m,
        revenue_12m - cost_12m - contact_cost_12m as current_value_12m,
        revenue_previous_12m,
        margin_previous_12m,
        purchase_days_12m,

        -- purchase-day summary (BG/NBD / Gamma-Gamma inputs, days)
        purchase_days,
        greatest(purchase_days - 1, 0) as frequency,
        last_purchase_on - first_purchase_on as recency_days,
        feature_date - first_purchase_on as t_days,
        feature_date - last_purchase_on as days_since_last,
        first_purchase_on,
        last_purchase_on,
        case
            when purchase_days > 1 then round((revenue_total - first_purchase_revenue) / (purchase_days - 1), 2)
            else 0
        end as monetary_avg,
        case
            when purchase_days > 1 then round((margin_total - first_purchase_margin) / (purchase_days - 1), 2)
            else 0
        end as margin_avg,
        revenue_total,
        margin_total,

        -- contact pressure and service
        contacts_12m,
        outbound_contacts_12m,
        inbound_contacts_12m,
        last_contact_on,
        tickets_12m,
        complaints_12m,
        last_nps,
        last_nps_at,
        payments_12m,
        avg_payment_delay_days_12m
    from joined
    -- a customer exists at a cut-off once first seen or first bought by then (the as-of row is always there)
    where cut_off_kind = 'as_of' or known_since is null or known_since <= feature_date

)

select * from final
