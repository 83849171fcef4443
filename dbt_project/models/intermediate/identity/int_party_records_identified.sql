{{
    config(
        indexes=[
            {'columns': ['record_key'], 'unique': true},
            {'columns': ['source_system', 'source_entity', 'source_record_id']},
        ],
    )
}}

{#- Every party record with the party and customer that record linkage gave it (ml.identity_records):
    the join every fact and the golden record use. Source priority follows the survivorship rule
    CRM over finance over marketing over service. -#}
with

party_records as (

    select * from {{ ref('int_party_records') }}

),

identity_records as (

    select * from {{ source('ml', 'identity_records') }}

),

joined as (

    select
        party_records.*,
        identity_records.party_id,
        identity_records.customer_id,
        identity_records.customer_type,
        identity_records.match_probability,
        identity_records.model_run_id as identity_run_id,
        case party_records.source_system
            when 'crm' then 1
            when 'finance' then 2
            when 'marketing' then 3
            when 'service' then 4
            else 5
        end as source_priority
    from party_records
    inner join identity_records on party_records.record_key = identity_records.record_key

)

select * from joined
