{#- The as-of cut-off, written once (DESIGN.md: nothing dated after the as-of date is used).

    as_of(): the run's as-of date (var `as_of`) as a SQL date.
    not_after_as_of(expression): true when a date, or a timestamp read as a local (cvm_timezone) day, is on or
    before the as-of date. Every model filters with these two, never with var('as_of') itself. -#}
{% macro as_of() -%}
    '{{ var("as_of") }}'::date
{%- endmacro %}

{% macro local_day(expression) -%}
    ({{ expression }} at time zone '{{ var("cvm_timezone") }}')::date
{%- endmacro %}

{% macro not_after_as_of(expression, is_timestamp=true) -%}
    {%- if is_timestamp -%}
        {{ local_day(expression) }} <= {{ as_of() }}
    {%- else -%}
        {{ expression }} <= {{ as_of() }}
    {%- endif -%}
{%- endmacro %}
