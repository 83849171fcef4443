{{ config(indexes=[{'columns': ['customer_id', 'planned_date']}]) }}

{#- Planned contact moments for the 12 months after the as-of date, keeping every rule at once:
    1. candidates: the triggers of seeds/contact_triggers.csv (complaint follow-up, post-purchase
       check-in, reactivation, NPS survey, company and relationship anniversary) for the goals they
       serve, plus contacts_per_year cadence slots spread evenly over the year (a per-customer offset,
       so a segment is not called on one day);
    2. an NPS survey while a complaint/return is open or was resolved fewer than window_days before it
       is suppressed (kept with status 'suppressed' and the reason, outside the plan);
    3. frequency is a hard cap: moments are taken in priority order (triggers first, then the cadence
       slots farthest from a trigger: a trigger replaces the nearest cadence contact) up to
       contacts_per_year, and only as many as the budget allows at the cheapest consented channel;
    4. channels: each moment takes the most preferred consented channel that still leaves room in the
       budget for the cheapest channel of every later moment, so the budget is met by choosing cheaper
       channels, never by dropping a moment a cheaper channel would have fitted;
    5. control group: moments of reasons withheld_for_control_group (cadence always) of control-group
       customers get status 'control_group': the counterfactual plan, not sent. -#}
with

customers as (

    select
        customer_id,
        customer_type,
        kvk_number,
        email_opt_in,
        phone_opt_in,
        postcode is not null or street is not null as has_address,
        {{ local_date('first_seen_at') }} as first_seen_on
    from {{ ref('dim_customer') }}

),

control as (

    select
        customer_id,
        segment,
        control_group
    from {{ ref('contact_control_group') }}

),

strategy as (

    select * from {{ ref('contact_strategy') }}

),

triggers as (

    select * from {{ ref('contact_triggers') }}
    where enabled

),

costs as (

    select
        channel,
        cost_per_contact,
        consent
    from {{ ref('channel_costs') }}
    where direction = 'outbound'

),

customer_strategy as (

    select
        customers.*,
        control.segment,
        control.control_group,
        strategy.goal,
        strategy.channels,
        strategy.contacts_per_year,
        strategy.max_contact_cost_per_year,
        strategy.complaint_follow_up_channels,
        strategy.complaint_follow_up_hours,
        {{ hash_fraction('customers.customer_id') }} as cadence_offset
    from customers
    inner join control on customers.customer_id = control.customer_id
    inner join strategy on control.segment = strategy.segment

),

-- one row per customer and trigger that serves the customer's goal
customer_triggers as (

    select
        customer_strategy.*,
        triggers.trigger,
        triggers.channels as trigger_channels,
        triggers.delay_days,
        triggers.window_days,
        triggers.priority,
        triggers.withheld_for_control_group
    from customer_strategy
    inner join triggers on {{ goal_in('customer_strategy.goal', 'triggers.goals') }}

),

complaints as (

    select distinct on (tickets.customer_id)
        tickets.customer_id,
        tickets.ticket_id,
        tickets.created_at
    from {{ ref('int_tickets') }} as tickets
    inner join customer_triggers
        on
            tickets.customer_id = customer_triggers.customer_id
            and customer_triggers.trigger = 'complaint_follow_up'
    where
        tickets.is_complaint
        and tickets.created_on > {{ as_of() }} - customer_triggers.window_days
    order by tickets.customer_id asc, tickets.created_at desc, tickets.ticket_id desc

),

complaint_follow_ups as (

    select
        customer_triggers.customer_id,
        greatest(
            {{ local_date("complaints.created_at
                + make_interval(hours => customer_triggers.complaint_follow_up_hours)") }},
            {{ as_of() }} + 1
        ) as planned_date,
        'complaint_follow_up' as reason,
        customer_triggers.complaint_follow_up_channels as channels,
        customer_triggers.complaint_follow_up_hours as due_within_hours,
        'complaint ' || complaints.ticket_id as trigger_detail,
        null::text as suppression_reason,
        customer_triggers.priority,
        customer_triggers.withheld_for_control_group as withheld
    from customer_triggers
    inner join complaints on customer_triggers.customer_id = complaints.customer_id
    where customer_triggers.trigger = 'complaint_follow_up'

),

last_invoices as (

    select distinct on (invoices.customer_id)
        invoices.customer_id,
        invoices.invoice_id,
        invoices.invoice_date
    from {{ ref('int_invoices') }} as invoices
    inner join customer_triggers
        on
            invoices.customer_id = customer_triggers.customer_id
            and customer_triggers.trigger = 'post_purchase_check_in'
    where
        not invoices.is_credited
        and invoices.invoice_date > {{ as_of() }} - customer_triggers.window_days
    order by invoices.customer_id asc, invoices.invoice_date desc, invoices.invoice_id desc

),

check_ins as (

    select
        customer_triggers.customer_id,
        greatest(last_invoices.invoice_date + customer_triggers.delay_days, {{ as_of() }} + 1)
            as planned_date,
        'post_purchase_check_in' as reason,
        customer_triggers.trigger_channels as channels,
        null::integer as due_within_hours,
        'invoice ' || last_invoices.invoice_id as trigger_detail,
        null::text as suppression_reason,
        customer_triggers.priority,
        customer_triggers.withheld_for_control_group as withheld
    from customer_triggers
    inner join last_invoices on customer_triggers.customer_id = last_invoices.customer_id
    where customer_triggers.trigger = 'post_purchase_check_in'

),

reactivations as (

    select
        customer_id,
        {{ as_of() }} + greatest(delay_days, 1) as planned_date,
        'reactivation' as reason,
        trigger_channels as channels,
        null::integer as due_within_hours,
        segment as trigger_detail,
        null::text as suppression_reason,
        priority,
        withheld_for_control_group as withheld
    from customer_triggers
    where trigger = 'reactivation'

),

surveys_planned as (

    select
        *,
        {{ as_of() }} + greatest(delay_days, 1)
        + floor(cadence_offset * (365 - greatest(delay_days, 1)))::int as planned_date
    from customer_triggers
    where trigger = 'nps_survey' and delay_days < 365

),

-- the latest complaint/return that was open at the as-of date or resolved inside the window before
-- the survey: seed 004 warns against asking for a recommendation after a bad experience
survey_blockers as (

    select distinct on (surveys_planned.customer_id)
        surveys_planned.customer_id,
        tickets.category || ' ' || tickets.ticket_id
        || case
            when tickets.resolved_at is null then ' open on ' || '{{ var("as_of") }}'
            else
                ' resolved ' || {{ local_date('tickets.resolved_at') }} || ', fewer than '
                || surveys_planned.window_days || ' days before the survey'
        end as suppression_reason
    from surveys_planned
    inner join {{ ref('int_tickets') }} as tickets on surveys_planned.customer_id = tickets.customer_id
    where
        tickets.category = any(string_to_array({{ contact_setting('survey_suppression_categories') }}, '|'))
        and (
            tickets.resolved_at is null
            or {{ local_date('tickets.resolved_at') }} > surveys_planned.planned_date - surveys_planned.window_days
        )
    order by surveys_planned.customer_id asc, tickets.created_at desc, tickets.ticket_id desc

),

surveys as (

    select
        surveys_planned.customer_id,
        surveys_planned.planned_date,
        'nps_survey' as reason,
        surveys_planned.trigger_channels as channels,
        null::integer as due_within_hours,
        null::text as trigger_detail,
        survey_blockers.suppression_reason,
        surveys_planned.priority,
        surveys_planned.withheld_for_control_group as withheld
    from surveys_planned
    left join survey_blockers on surveys_planned.customer_id = survey_blockers.customer_id

),

first_purchases as (

    select
        customer_id,
        min(invoice_date) as first_purchase_on
    from {{ ref('int_invoices') }}
    where customer_id is not null and not is_credited
    group by customer_id

),

crm_accounts as (

    select
        customer_id,
        min({{ local_date('first_seen_at') }}) as account_created_on
    from {{ ref('int_party_records_identified') }}
    where source_system = 'crm' and source_entity = 'accounts'
    group by customer_id

),

relationship_anniversaries as (

    select
        customer_triggers.customer_id,
        {{ next_anniversary('coalesce(first_purchases.first_purchase_on, customer_triggers.first_seen_on)') }}
            as planned_date,
        'relationship_anniversary' as reason,
        customer_triggers.trigger_channels as channels,
        null::integer as due_within_hours,
        case when first_purchases.first_purchase_on is not null then 'first purchase ' else 'first seen ' end
        || coalesce(first_purchases.first_purchase_on, customer_triggers.first_seen_on) as trigger_detail,
        null::text as suppression_reason,
        customer_triggers.priority,
        customer_triggers.withheld_for_control_group as withheld
    from customer_triggers
    left join first_purchases on customer_triggers.customer_id = first_purchases.customer_id
    where
        customer_triggers.trigger = 'relationship_anniversary'
        and coalesce(first_purchases.first_purchase_on, customer_triggers.first_seen_on) is not null

),

company_anniversaries as (

    select
        customer_triggers.customer_id,
        {{ next_anniversary('coalesce(founding.founded_on, crm_accounts.account_created_on)') }} as planned_date,
        'company_anniversary' as reason,
        customer_triggers.trigger_channels as channels,
        null::integer as due_within_hours,
        case when founding.founded_on is not null then 'founded ' else 'account created ' end
        || coalesce(founding.founded_on, crm_accounts.account_created_on) as trigger_detail,
        null::text as suppression_reason,
        customer_triggers.priority,
        customer_triggers.withheld_for_control_group as withheld
    from customer_triggers
    left join {{ ref('company_founding_dates') }} as founding
        on customer_triggers.kvk_number = founding.kvk_number
    left join crm_accounts on customer_triggers.customer_id = crm_accounts.customer_id
    where
        customer_triggers.trigger = 'company_anniversary'
        and customer_triggers.customer_type = 'organisation'
        and coalesce(founding.founded_on, crm_accounts.account_created_on) is not null

),

anniversaries as (

    select * from relationship_anniversaries
    union all
    -- one congratulation is enough when both fall close together
    select company_anniversaries.*
    from company_anniversaries
    left join relationship_anniversaries
        on
            company_anniversaries.customer_id = relationship_anniversaries.customer_id
            and abs(company_anniversaries.planned_date - relationship_anniversaries.planned_date)
            < {{ contact_setting('anniversary_merge_days') }}::int
    where relationship_anniversaries.customer_id is null

),

trigger_moments as (

    select * from complaint_follow_ups
    union all
    select * from check_ins
    union all
    select * from reactivations
    union all
    select * from surveys
    union all
    select * from anniversaries

),

cadence_slots as (

    select
        customer_id,
        (
            {{ as_of() }} + 1
            + floor((slot.n - 1 + cadence_offset) * 365.0 / contacts_per_year)::int
        ) as planned_date,
        'cadence' as reason,
        channels,
        null::integer as due_within_hours,
        null::text as trigger_detail,
        null::text as suppression_reason,
        1000 as priority,
        true as withheld
    from customer_strategy
    cross join lateral generate_series(1, customer_strategy.contacts_per_year) as slot (n)
    where contacts_per_year > 0

),

-- days from each cadence slot to the nearest (not suppressed) trigger of the customer
cadence_distances as (

    select
        cadence_slots.customer_id,
        cadence_slots.planned_date,
        min(abs(trigger_moments.planned_date - cadence_slots.planned_date)) as days_to_trigger
    from cadence_slots
    inner join trigger_moments
        on
            cadence_slots.customer_id = trigger_moments.customer_id
            and trigger_moments.suppression_reason is null
    group by cadence_slots.customer_id, cadence_slots.planned_date

),

candidates as (

    select
        trigger_moments.*,
        0 as distance_to_trigger
    from trigger_moments
    where
        planned_date > {{ as_of() }}  -- noqa: RF03
        and planned_date <= {{ as_of() }} + interval '12 months'  -- noqa: RF03
    union all
    -- a cadence slot near a trigger is the first to give way to it
    select
        cadence_slots.*,
        coalesce(cadence_distances.days_to_trigger, 100000) as distance_to_trigger
    from cadence_slots
    left join cadence_distances
        on
            cadence_slots.customer_id = cadence_distances.customer_id
            and cadence_slots.planned_date = cadence_distances.planned_date

),

-- the consented channels of every moment in order of preference, with their cost
moment_channels as (

    select
        candidates.customer_id,
        candidates.reason,
        candidates.planned_date,
        array_agg(preferred.channel order by preferred.position) as channel_options,
        array_agg(costs.cost_per_contact order by preferred.position) as cost_options,
        min(costs.cost_per_contact) as cheapest_cost
    from candidates
    inner join customer_strategy on candidates.customer_id = customer_strategy.customer_id
    cross join
        lateral unnest(string_to_array(candidates.channels, '|'))
        with ordinality as preferred (channel, position)
    inner join costs on preferred.channel = costs.channel
    where {{ consent_allows('costs.consent', 'customer_strategy.email_opt_in', 'customer_strategy.phone_opt_in',
                            'customer_strategy.has_address') }}
    group by candidates.customer_id, candidates.reason, candidates.planned_date

),

ranked as (

    select
        candidates.*,
        moment_channels.channel_options,
        moment_channels.cost_options,
        moment_channels.cheapest_cost,
        customer_strategy.contacts_per_year,
        customer_strategy.max_contact_cost_per_year,
        row_number() over moment_order as moment_rank,
        sum(moment_channels.cheapest_cost) over moment_order as cumulative_cheapest_cost
    from candidates
    inner join moment_channels
        on
            candidates.customer_id = moment_channels.customer_id
            and candidates.reason = moment_channels.reason
            and candidates.planned_date = moment_channels.planned_date
    inner join customer_strategy on candidates.customer_id = customer_strategy.customer_id
    where candidates.suppression_reason is null
    window moment_order as (
        partition by candidates.customer_id
        order by
            candidates.priority asc,
            candidates.distance_to_trigger desc,
            candidates.planned_date asc,
            candidates.reason asc
        rows between unbounded preceding and current row
    )

),

kept as (

    select
        *,
        sum(cheapest_cost) over (partition by customer_id) - cumulative_cheapest_cost as reserve_after
    from ranked
    where
        moment_rank <= contacts_per_year
        and cumulative_cheapest_cost <= max_contact_cost_per_year

),

-- greedy in priority order: the most preferred channel that leaves room for the rest
-- (nested: dbt unit tests prepend fixtures to the model's WITH)
assigned as (

    with recursive steps (customer_id, moment_rank, channel, estimated_cost, spent) as (

        select
            customer_id,
            0::bigint,
            null::text,
            0::numeric,
            0::numeric
        from kept
        group by customer_id

        union all

        select
            kept.customer_id,
            kept.moment_rank,
            pick.channel,
            pick.cost,
            assigned.spent + pick.cost
        from steps as assigned
        inner join kept
            on
                assigned.customer_id = kept.customer_id
                and kept.moment_rank = assigned.moment_rank + 1
        cross join lateral (
            select
                option.channel,
                option.cost
            from
                unnest(kept.channel_options, kept.cost_options)
                with ordinality as option (channel, cost, position)
            where
                assigned.spent + option.cost + kept.reserve_after <= kept.max_contact_cost_per_year
                or option.cost = kept.cheapest_cost
            order by
                assigned.spent + option.cost + kept.reserve_after <= kept.max_contact_cost_per_year desc,
                option.position
            limit 1
        ) as pick

    )

    select * from steps

),

planned as (

    select
        kept.customer_id,
        kept.planned_date,
        assigned.channel,
        kept.reason,
        case when kept.withheld and customer_strategy.control_group then 'control_group' else 'planned' end
            as status,
        kept.suppression_reason,
        kept.due_within_hours,
        kept.trigger_detail,
        assigned.estimated_cost
    from kept
    inner join assigned
        on
            kept.customer_id = assigned.customer_id
            and kept.moment_rank = assigned.moment_rank
    inner join customer_strategy on kept.customer_id = customer_strategy.customer_id

),

suppressed as (

    select
        candidates.customer_id,
        candidates.planned_date,
        moment_channels.channel_options[1] as channel,
        candidates.reason,
        'suppressed' as status,
        candidates.suppression_reason,
        candidates.due_within_hours,
        candidates.trigger_detail,
        0::numeric as estimated_cost
    from candidates
    inner join moment_channels
        on
            candidates.customer_id = moment_channels.customer_id
            and candidates.reason = moment_channels.reason
            and candidates.planned_date = moment_channels.planned_date
    where candidates.suppression_reason is not null

),

moments as (

    select * from planned
    union all
    select * from suppressed

),

final as (

    select
        moments.customer_id || ':' || row_number() over (
            partition by moments.customer_id order by moments.planned_date, moments.reason
        ) as contact_plan_id,
        moments.customer_id,
        moments.planned_date,
        moments.channel,
        'outbound' as direction,
        moments.reason,
        moments.status,
        moments.suppression_reason,
        moments.trigger_detail,
        moments.due_within_hours,
        moments.estimated_cost,
        sum(moments.estimated_cost) over (
            partition by moments.customer_id
            order by moments.planned_date, moments.reason
            rows between unbounded preceding and current row
        ) as cumulative_cost,
        customer_strategy.segment,
        customer_strategy.goal,
        customer_strategy.control_group,
        {{ as_of() }} as as_of_date,
        '{{ var("model_run_id") }}' as model_run_id
    from moments
    inner join customer_strategy on moments.customer_id = customer_strategy.customer_id

)

select * from final
