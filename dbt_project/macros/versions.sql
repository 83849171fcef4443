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

{#- The latest version of each record (is_latest above), and whether a snapshot delivery has ended it.
    `mode: snapshot` in a source's _source.yml (recorded per load in raw.load_audit.options) declares a
    delivery the complete current set of its entity: a record that a later snapshot delivery no longer
    contains has ended, at that delivery (ended_at); a later delivery that contains it again makes it current
    again. Incremental deliveries (the default) never end a record. Only deliveries loaded on or before the
    as-of date count, so an as-of run does not see a record end that it could not have known about.
    last_load_id is the last such delivery that contained the record. -#}
{% macro current_versions(versions_model, key, system, entity) -%}
with

versions as (

    select
        *,
        max(load_id) filter (where {{ not_after_as_of('loaded_at') }}) over (partition by {{ key }})
            as last_load_id
    from {{ ref(versions_model) }}

),

loads as (

    select
        load_id,
        started_at as delivered_at,
        coalesce(options ->> 'mode' = 'snapshot', false) and {{ not_after_as_of('started_at') }} as is_snapshot
    from {{ source('raw', 'load_audit') }}
    where system = '{{ system }}' and entity = '{{ entity }}' and status = 'loaded'

),

deliveries as (

    -- every delivery of the entity with the time of the first snapshot delivered after it
    select
        load_id,
        min(case when is_snapshot then delivered_at end) over (
            order by load_id rows between 1 following and unbounded following
        ) as next_snapshot_at
    from loads

),

latest as (

    select
        versions.*,
        deliveries.next_snapshot_at as ended_at,
        deliveries.next_snapshot_at is null as is_current
    from versions
    left join deliveries on versions.last_load_id = deliveries.load_id
    where versions.is_latest

)

select * from latest
{%- endmacro %}
