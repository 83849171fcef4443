{{ config(materialized='view') }}

{#- The published face of evaluation.evaluation_segments: a view, so BI sees every month the monthly evaluation has
    stored, also months evaluated after this publish. The store itself lives outside the swapped schema. -#}
select * from {{ ref('evaluation_segments') }}
