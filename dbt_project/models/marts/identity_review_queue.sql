{#- Record pairs the linkage is unsure about (match probability between identity_review_lower and
    identity_review_upper in seed model_settings), both records side by side with the deciding fields,
    for a steward to settle with `cvm identity decide` (must-link / cannot-link). -#}
with

settings as (

    select
        max(case when key = 'identity_review_lower' then value::numeric end) as review_lower,
        max(case when key = 'identity_review_upper' then value::numeric end) as review_upper
    from {{ ref('model_settings') }}

),

pairs as (

    select pairs.*
    from {{ source('ml', 'identity_pairs') }} as pairs
    cross join settings
    where pairs.match_probability >= settings.review_lower and pairs.match_probability < settings.review_upper

),

records as (

    select * from {{ ref('int_party_records') }}

),

fields as (

    select
        record_key_l,
        record_key_r,
        string_agg(field || ': ' || level_label, '; ' order by abs(weight) desc) as evidence
    from {{ source('ml', 'identity_pair_fields') }}
    group by record_key_l, record_key_r

),

final as (

    select
        pairs.record_key_l,
        pairs.record_key_r,
        l.party_kind,
        pairs.match_probability,
        pairs.is_match as linked_now,
        fields.evidence,
        l.display_name as display_name_l,
        r.display_name as display_name_r,
        l.email as email_l,
        r.email as email_r,
        l.phone as phone_l,
        r.phone as phone_r,
        l.postcode as postcode_l,
        r.postcode as postcode_r,
        l.house_number as house_number_l,
        r.house_number as house_number_r,
        l.birth_date as birth_date_l,
        r.birth_date as birth_date_r,
        l.organisation_name as organisation_name_l,
        r.organisation_name as organisation_name_r,
        l.kvk_number as kvk_number_l,
        r.kvk_number as kvk_number_r,
        pairs.model_run_id as linkage_run_id
    from pairs
    inner join records as l on pairs.record_key_l = l.record_key
    inner join records as r on pairs.record_key_r = r.record_key
    left join fields
        on
            pairs.record_key_l = fields.record_key_l
            and pairs.record_key_r = fields.record_key_r

)

select * from final
