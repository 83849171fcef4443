{#- Why each linked pair was linked: one row per linked record pair and compared field, with the
    comparison level and the weight it added to the match probability (0 when a value was missing). -#}
with

pairs as (

    select * from {{ source('ml', 'identity_pairs') }}
    where is_match

),

fields as (

    select * from {{ source('ml', 'identity_pair_fields') }}

),

final as (

    select
        pairs.record_key_l,
        pairs.record_key_r,
        fields.party_kind,
        pairs.match_probability,
        fields.field,
        fields.level,
        fields.level_label,
        fields.weight,
        pairs.model_run_id as linkage_run_id
    from pairs
    inner join fields
        on
            pairs.record_key_l = fields.record_key_l
            and pairs.record_key_r = fields.record_key_r

)

select * from final
