{#- One row per party-bearing source record: which party and customer it belongs to, and how sure the
    linkage is. Lets BI and source-system owners trace every golden customer back to its records. -#}
with

records as (

    select * from {{ ref('int_party_records_identified') }}

),

final as (

    select
        record_key,
        source_system,
        source_entity,
        source_record_id,
        party_kind,
        party_id,
        customer_id,
        customer_type,
        match_probability,
        identity_run_id as linkage_run_id
    from records

)

select * from final
