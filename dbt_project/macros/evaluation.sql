{#- Helpers of the monthly evaluation (models/evaluation). The evaluation stores live in the schema
    `evaluation`, which the publish swap never touches, and are filled one month at a time: the month is
    var('evaluation_month') ('YYYY-MM-01'). Without it (the pipeline's own build) the stores are only
    created when missing and nothing is written. -#}

{% macro evaluation_month() -%}
    {{- return(var('evaluation_month', none)) -}}
{%- endmacro %}

{#- The month's date literal, or a filter that selects nothing when no month is being evaluated. -#}
{% macro evaluation_month_literal() -%}
    '{{ var("evaluation_month", "1900-01-01") }}'::date
{%- endmacro %}

{% macro only_when_evaluating() -%}
    {%- if evaluation_month() is none %} and false{% endif -%}
{%- endmacro %}

{#- Pre-hook of every store: re-running a month replaces exactly that month (same transaction as the insert). -#}
{% macro delete_evaluation_month() -%}
    {%- if evaluation_month() is not none and load_relation(this) is not none -%}
        delete from {{ this }} where month = {{ evaluation_month_literal() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- A table of the published schema (`marts`), or none when it does not exist (before the first publish).
    Looked up in the catalog, not dbt's relation cache: `marts` is no schema of this project (dbt builds
    marts_next), so the cache would answer "absent" without asking. -#}
{% macro published_relation(table) -%}
    {%- if not execute -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set schema = var('cvm_published_schema', 'marts') -%}
    {%- set found = run_query("select to_regclass('" ~ schema ~ "." ~ table ~ "') is not null") -%}
    {%- if not found.columns[0].values()[0] -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(api.Relation.create(database=target.database, schema=schema, identifier=table)) -}}
{%- endmacro %}

{#- True when a relation exists and has all the given columns (dbt's own catalog lookup). The contact strategy
    adds control groups and a plan history, and ml.segment_history gained clv_12m later than its other columns:
    the evaluation uses them when they are there and says "no control group" / falls back to the strategy's
    cadence when they are not. -#}
{% macro relation_has_columns(relation, columns) -%}
    {%- if relation is none or not execute -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- for column in columns -%}
        {%- if column not in present -%}
            {{- return(false) -}}
        {%- endif -%}
    {%- endfor -%}
    {{- return(true) -}}
{%- endmacro %}

{#- True when a published table has all the given columns. -#}
{% macro published_has_columns(table, columns) -%}
    {{- return(relation_has_columns(published_relation(table), columns)) -}}
{%- endmacro %}
