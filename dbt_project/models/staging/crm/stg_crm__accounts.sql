{#- The latest version of each record (updated_at where the source has it, else the last
    delivery and row). History stays queryable in stg_crm__accounts_versions. -#}
with

versions as (

    select * from {{ ref('stg_crm__accounts_versions') }}

),

latest as (

    select * from versions
    where is_latest

)

select * from latest
