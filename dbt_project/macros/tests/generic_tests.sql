{#- Small stand-ins for dbt_utils tests (no package hub access here). -#}

{#- Every row satisfies a boolean SQL expression; fails with the rows that do not. -#}
{% test expression_is_true(model, expression) %}
    select * from {{ model }} where not coalesce(({{ expression }}), false)
{% endtest %}

{#- A combination of columns is unique (a composite key). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select {{ combination_of_columns | join(', ') }}, count(*) as n
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- A numeric column stays within [min_value, max_value] (nulls pass). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
    select * from {{ model }}
    where {{ column_name }} is not null
        and (
            false
            {% if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
            {% if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
        )
{% endtest %}

{#- Nothing after the as-of date may be used (DESIGN.md: reproducible runs). -#}
{% test not_after_as_of(model, column_name) %}
    select * from {{ model }} where {{ column_name }} > {{ as_of() }}
{% endtest %}
