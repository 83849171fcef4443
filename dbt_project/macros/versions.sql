{#- Lineage and versioning shared by every staging model: one definition, so the ten sources cannot drift. -#}

{% macro lineage_columns(relation='source') -%}
        {{ relation }}._load_id as load_id,
        {{ relation }}._source_file as source_file,
        {{ relation }}._row_number as source_row_number,
        {{ relation }}._loaded_at as loaded_at,
        {{ relation }}._extra as extra_columns
{%- endmacro %}

{#- version_rank 1 = the latest version of a record: by `updated_at` where the source has one, else by
    delivery (load id) and row within the delivery. is_latest = the latest version known on the as-of date:
    a version updated after it did not exist yet (a record whose every version is later is not latest at all).
    Records created after the as-of date are dropped where the parties meet (int_party_records). -#}
{% macro version_columns(key, updated_at=none) -%}
    {%- set order_by = (updated_at ~ ' desc nulls last, ' if updated_at else '')
        ~ 'load_id desc, source_row_number desc' -%}
    {%- set later = ('coalesce(not ' ~ not_after_as_of(updated_at) ~ ', false)') if updated_at else 'false' -%}
        row_number() over (partition by {{ key }} order by {{ order_by }}) as version_rank,
        count(*) over (partition by {{ key }}) as version_count,
        row_number() over (partition by {{ key }} order by {{ later }}, {{ order_by }}) = 1
            and not {{ later }} as is_latest
{%- endmacro %}
