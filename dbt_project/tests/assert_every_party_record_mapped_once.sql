{#- Every record of int_party_records appears exactly once in customer_identity_map (and nothing else). -#}
with

records as (

    select record_key from {{ ref('int_party_records') }}

),

mapped as (

    select record_key, count(*) as times_mapped
    from {{ ref('customer_identity_map') }}
    group by record_key

)

select
    coalesce(records.record_key, mapped.record_key) as record_key,
    coalesce(mapped.times_mapped, 0) as times_mapped
from records
full outer join mapped on records.record_key = mapped.record_key
where records.record_key is null or coalesce(mapped.times_mapped, 0) <> 1
