{#- The billable rule, written once: an invoice amount counts unless the invoice's credit was known on
    the cut-off date (credited_on <= cut_off). int_invoices applies it at the as-of date,
    int_customer_features at every cut-off of the history, so a credit issued after an older month-end
    does not change that month's figures. -#}
{% macro billable(amount_expression, credited_on, cut_off) -%}
    (case when {{ credited_on }} <= {{ cut_off }} then 0 else coalesce({{ amount_expression }}, 0) end)
{%- endmacro %}
