{#- Consent rules for planned (outbound) contact. Which consent a channel needs is marketer config
    (seeds/channel_costs.csv, column consent): 'email' needs an e-mail opt-in, 'phone' a phone opt-in,
    'address' a postal address, 'none' nothing. An unknown consent (null) is no consent, and a channel
    without a consent rule is never allowed. -#}
{% macro consent_allows(consent, email_opt_in, phone_opt_in, has_address) -%}
    case {{ consent }}
        when 'email' then coalesce({{ email_opt_in }}, false)
        when 'phone' then coalesce({{ phone_opt_in }}, false)
        when 'address' then coalesce({{ has_address }}, false)
        when 'none' then true
        else false
    end
{%- endmacro %}

{#- A stable pseudo-random fraction in [0, 1) from the md5 of a text: the same input gives the same
    fraction on every run and every server. -#}
{% macro hash_fraction(text_expression) -%}
    ((('x' || substr(md5({{ text_expression }}), 1, 8))::bit(32)::bigint) / 4294967296.0)
{%- endmacro %}

{#- True when the customer falls in the control group of its segment: the hash of salt and customer id
    below the segment's control_group_share (seeds/contact_strategy.csv). -#}
{% macro in_control_group(customer_id, share, salt) -%}
    ({{ hash_fraction(salt ~ " || ':' || " ~ customer_id) }} < coalesce({{ share }}, 0))
{%- endmacro %}

{#- One value of seeds/contact_settings.csv as text. -#}
{% macro contact_setting(key) -%}
    (select value from {{ ref('contact_settings') }} where key = '{{ key }}')
{%- endmacro %}

{#- True when the goal of a segment is one of a '|'-separated list of goals ('all' = every goal). -#}
{% macro goal_in(goal, goals) -%}
    ({{ goals }} = 'all' or {{ goal }} = any(string_to_array({{ goals }}, '|')))
{%- endmacro %}

{#- The first anniversary of a date after the as-of date (at least one year after the date itself);
    within the 12 months the plan covers. -#}
{% macro next_anniversary(date_expression) -%}
    (
        {{ date_expression }} + make_interval(years => greatest(1,
            extract(year from {{ as_of() }})::int - extract(year from {{ date_expression }})::int
            + case
                when ({{ date_expression }} + make_interval(years =>
                        extract(year from {{ as_of() }})::int
                        - extract(year from {{ date_expression }})::int))::date > {{ as_of() }}
                    then 0
                else 1
            end))
    )::date
{%- endmacro %}

{#- True when a date falls in the 12-month window (as_of - 12 months, as_of], the as-of day included. -#}
{% macro in_window_12m(date_expression) -%}
    ({{ date_expression }} > {{ as_of() }} - interval '12 months'
        and {{ date_expression }} <= {{ as_of() }})
{%- endmacro %}

{#- A timestamptz as a local (cvm_timezone) calendar date. -#}
{% macro local_date(timestamp_expression) -%}
    (({{ timestamp_expression }}) at time zone '{{ var("cvm_timezone") }}')::date
{%- endmacro %}

{#- The persistent table every published contact plan is appended to (by cvm/publish.py, in the
    transaction that publishes the marts, so a failed run adds nothing). It lives outside marts_next,
    which the publish swap replaces on every run. -#}
{% macro ensure_contact_plan_history() -%}
    create schema if not exists {{ var('cvm_history_schema', 'history') }};
    create table if not exists {{ var('cvm_history_schema', 'history') }}.contact_plan_history (
        as_of_date date not null,
        model_run_id text not null,
        published_at timestamptz not null,
        contact_plan_id text not null,
        customer_id text not null,
        planned_date date not null,
        channel text,
        direction text,
        reason text,
        status text,
        suppression_reason text,
        trigger_detail text,
        due_within_hours integer,
        estimated_cost numeric,
        segment text,
        goal text,
        control_group boolean,
        primary key (as_of_date, model_run_id, contact_plan_id)
    )
{%- endmacro %}
