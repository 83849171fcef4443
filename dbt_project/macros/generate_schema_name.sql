{#- Schemas are used literally (staging, intermediate, marts_next, config): the pipeline and the
    publish step address them by name, so dbt's default "<target>_<custom>" prefixing is switched off. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
