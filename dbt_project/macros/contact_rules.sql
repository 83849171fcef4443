{#- Consent rules for planned (outbound) contact: no e-mail or newsletter without an e-mail opt-in,
    no call without a phone opt-in, no visit or printed mailing without an address. An unknown
    consent (null) is no consent. -#}
{% macro channel_allowed(channel, email_opt_in, phone_opt_in, has_address) -%}
    case
        when {{ channel }} in ('email', 'newsletter', 'social') then coalesce({{ email_opt_in }}, false)
        when {{ channel }} in ('call', 'phone') then coalesce({{ phone_opt_in }}, false)
        when {{ channel }} in ('visit', 'mailing', 'meeting') then coalesce({{ has_address }}, false)
        else true
    end
{%- endmacro %}

{#- The first channel of a '|'-separated preference list that the customer's consent allows. -#}
{% macro first_allowed_channel(channels, email_opt_in, phone_opt_in, has_address) -%}
    (
        select preferred.channel
        from unnest(string_to_array({{ channels }}, '|')) with ordinality as preferred (channel, position)
        where {{ channel_allowed('preferred.channel', email_opt_in, phone_opt_in, has_address) }}
        order by preferred.position
        limit 1
    )
{%- endmacro %}

{#- True when a date falls in the 12-month window (as_of - 12 months, as_of], the as-of day included. -#}
{% macro in_window_12m(date_expression) -%}
    ({{ date_expression }} > {{ as_of() }} - interval '12 months'
        and {{ date_expression }} <= {{ as_of() }})
{%- endmacro %}

{#- A timestamptz as a local (cvm_timezone) calendar date. -#}
{% macro local_date(timestamp_expression) -%}
    ({{ timestamp_expression }} at time zone '{{ var("cvm_timezone") }}')::date
{%- endmacro %}
