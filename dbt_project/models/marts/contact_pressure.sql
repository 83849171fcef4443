{#- Per customer: planned vs actual contacts and costs over 12 months, with flags marketing acts on.
    The actual figures are the as-of row of int_customer_features (the one place they are computed).
    Contact pressure counts what we initiated (outbound); the contact cost counts every contact moment
    (serving an inbound question costs money too). The yearly target and budget are pro-rated for the
    customer's tenure (a customer known for 3 months is due a quarter of a year's contacts);
    tolerances are vars (over/under_contact_tolerance). The call-back promise (seeds/contact_settings:
    callback_segments, callback_minutes) is measured from each complaint ticket to the first outbound
    contact moment after it. -#}
with

customers as (

    select
        customer_id,
        least(greatest(({{ as_of() }} - {{ local_date('first_seen_at') }} + 1) / 365.0, 0), 1)
            as tenure_share
    from {{ ref('dim_customer') }}

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
        channels,
        contacts_per_year,
        max_contact_cost_per_year
    from {{ ref('contact_strategy') }}

),

features as (

    select
        customer_id,
        outbound_contacts_12m,
        inbound_contacts_12m,
        contact_cost_12m,
        current_value_12m,
        margin_12m
    from {{ ref('int_customer_features') }}
    where cut_off_kind = 'as_of'

),

control as (

    select
        customer_id,
        control_group
    from {{ ref('customer_360') }}

),

planned as (

    select
        customer_id,
        count(*) filter (where status = 'planned') as planned_contacts_12m,
        coalesce(sum(estimated_cost) filter (where status = 'planned'), 0) as planned_cost_12m,
        count(*) filter (where status = 'control_group') as withheld_contacts_12m,
        count(*) filter (where status = 'suppressed') as suppressed_contacts_12m
    from {{ ref('contact_plan') }}
    group by customer_id

),

-- customers of a segment with a cadence that no channel of theirs may reach (no consent, no address)
unreachable as (

    select control.customer_id
    from {{ ref('contact_control_group') }} as control
    inner join strategy on control.segment = strategy.segment
    inner join {{ ref('dim_customer') }} as dim on control.customer_id = dim.customer_id
    where
        strategy.contacts_per_year > 0
        and not exists (
            select 1
            from unnest(string_to_array(strategy.channels, '|')) as preferred (channel)
            inner join {{ ref('channel_costs') }} as costs
                on preferred.channel = costs.channel and costs.direction = 'outbound'
            where {{ consent_allows('costs.consent', 'dim.email_opt_in', 'dim.phone_opt_in',
                                    'dim.postcode is not null or dim.street is not null') }}
        )

),

callback_segments as (

    select unnest(string_to_array({{ contact_setting('callback_segments') }}, '|')) as segment

),

complaint_callbacks as (

    select
        tickets.customer_id,
        tickets.ticket_id,
        extract(epoch from (
            select min(moments.occurred_at)
            from {{ ref('int_contact_moments') }} as moments
            where
                moments.customer_id = tickets.customer_id
                and moments.direction = 'outbound'
                and moments.occurred_at >= tickets.created_at
        ) - tickets.created_at) / 60.0 as callback_minutes
    from {{ ref('int_tickets') }} as tickets
    inner join segments on tickets.customer_id = segments.customer_id
    inner join callback_segments on segments.segment = callback_segments.segment
    where tickets.is_complaint and {{ in_window_12m('tickets.created_on') }}

),

callbacks as (

    select
        customer_id,
        count(*) as promised_callbacks_12m,
        count(*) filter (
            where callback_minutes is null or callback_minutes > {{ contact_setting('callback_minutes') }}::numeric
        ) as missed_callbacks_12m,
        max(callback_minutes) as slowest_callback_minutes
    from complaint_callbacks
    group by customer_id

),

joined as (

    select
        customers.customer_id,
        segments.segment,
        strategy.goal,
        coalesce(strategy.contacts_per_year, 0) as target_contacts_per_year,
        strategy.max_contact_cost_per_year,
        coalesce(planned.planned_contacts_12m, 0)::integer as planned_contacts_12m,
        coalesce(planned.planned_cost_12m, 0) as planned_cost_12m,
        coalesce(features.outbound_contacts_12m, 0)::integer as actual_contacts_12m,
        coalesce(features.inbound_contacts_12m, 0)::integer as actual_inbound_contacts_12m,
        coalesce(features.contact_cost_12m, 0) as contact_cost_12m,
        coalesce(features.current_value_12m, 0) as current_value_12m,
        coalesce(features.margin_12m, 0) as margin_12m,
        coalesce(control.control_group, false) as control_group,
        customers.tenure_share,
        coalesce(planned.withheld_contacts_12m, 0)::integer as withheld_contacts_12m,
        coalesce(planned.suppressed_contacts_12m, 0)::integer as suppressed_contacts_12m,
        unreachable.customer_id is not null as no_channel_allowed,
        coalesce(callbacks.promised_callbacks_12m, 0)::integer as promised_callbacks_12m,
        coalesce(callbacks.missed_callbacks_12m, 0)::integer as missed_callbacks_12m,
        callbacks.slowest_callback_minutes
    from customers
    left join segments on customers.customer_id = segments.customer_id
    left join strategy on segments.segment = strategy.segment
    left join planned on customers.customer_id = planned.customer_id
    left join features on customers.customer_id = features.customer_id
    left join control on customers.customer_id = control.customer_id
    left join unreachable on customers.customer_id = unreachable.customer_id
    left join callbacks on customers.customer_id = callbacks.customer_id

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
        margin_12m,
        control_group,
        withheld_contacts_12m,
        suppressed_contacts_12m,
        no_channel_allowed,
        round(tenure_share, 4) as tenure_share,
        round(target_contacts_per_year * tenure_share, 2) as target_contacts_12m,
        round(coalesce(max_contact_cost_per_year, 0) * tenure_share, 2) as budget_12m,
        actual_contacts_12m - round(target_contacts_per_year * tenure_share, 2) as contacts_vs_target,
        actual_contacts_12m > target_contacts_per_year * tenure_share * (1 + {{ var('over_contact_tolerance') }})
            as over_contacted,
        -- the control group is held out of cadence on purpose, and a customer for whom not one whole
        -- contact was due yet (a new customer of a few weeks) cannot have been missed: not under-contacted
        not control_group
        and target_contacts_per_year * tenure_share >= 1
        and actual_contacts_12m < target_contacts_per_year * tenure_share * (1 - {{ var('under_contact_tolerance') }})
            as under_contacted,
        contact_cost_12m > greatest(margin_12m, 0) as contact_cost_above_value,
        contact_cost_12m > coalesce(max_contact_cost_per_year, 0) * tenure_share as contact_cost_above_budget,
        promised_callbacks_12m,
        missed_callbacks_12m,
        round(slowest_callback_minutes, 1) as slowest_callback_minutes,
        missed_callbacks_12m > 0 as callback_missed,
        {{ as_of() }} as as_of_date
    from joined

)

select * from final
