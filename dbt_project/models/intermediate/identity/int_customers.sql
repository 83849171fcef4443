{{
    config(
        indexes=[{'columns': ['customer_id'], 'unique': true}],
    )
}}

{#- The golden record per customer by survivorship (seed survivorship_rules): per attribute the value
    of the record that ranks first by the attribute's rule (most recent, most frequent, most trusted
    source), an organisation's own records always before its persons', ties by the seed's source order
    and then the most recent record. Each chosen value comes with its source (<attribute>_source).
    Values are the source spelling (accents kept). Consent is conservative: one explicit "no" wins. -#}

{%- set attributes = {
    'display_name': 'identified.display_name',
    'email': 'identified.email',
    'phone': 'identified.phone',
    'address': "identified.postcode || ' ' || coalesce(identified.house_number, '')",
    'kvk_number': 'identified.kvk_number',
    'vat_number': 'identified.vat_number',
} %}
{%- set default_order = 'crm>finance>marketing>service' %}

with

rules as (

    select
    {%- for attribute in attributes %}
            coalesce(max(rule) filter (where attribute = '{{ attribute }}'), 'most_trusted')
                as {{ attribute }}_rule,
            string_to_array(
                coalesce(max(source_order) filter (where attribute = '{{ attribute }}'), '{{ default_order }}'), '>'
            ) as {{ attribute }}_sources{{ "," if not loop.last }}
    {%- endfor %}
    from {{ ref('survivorship_rules') }}

),

records as (

    select
        identified.*,
        (identified.party_kind = identified.customer_type) as is_own_kind,
    {%- for attribute, value in attributes.items() %}
        -- {{ attribute }}: the rule's rank (lower wins) and the trust rank of the source
        case rules.{{ attribute }}_rule
            when 'most_recent' then -extract(epoch from identified.first_seen_at)
            when 'most_frequent'
                then
                    -count(*)
                        over (
                            partition by
                                identified.customer_id,
                                {{ value }}
                        )
            else coalesce(array_position(rules.{{ attribute }}_sources, identified.source_system), 99)
        end as {{ attribute }}_rank,
        coalesce(array_position(rules.{{ attribute }}_sources, identified.source_system), 99)
            as {{ attribute }}_trust{{ "," if not loop.last }}
    {%- endfor %}
    from {{ ref('int_party_records_identified') }} as identified
    cross join rules

),

accounts as (

    select
        account_id,
        account_manager
    from {{ ref('stg_crm__accounts') }}

),

{#- per attribute: records still in their source first (an ended record of a snapshot delivery only fills
    gaps), own kind, then the rule's rank, the source's trust, the most recent record -#}
{%- set order_by = "is_current desc, is_own_kind desc, ATTR_rank nulls last, ATTR_trust, "
    ~ "first_seen_at desc nulls last, record_key" %}
{%- set order_by_name = "is_current desc, is_own_kind desc, source_priority, "
    ~ "first_seen_at desc nulls last, record_key" %}
{%- set source = "source_system || '.' || source_entity" %}

golden as (

    select
        customer_id,
        min(customer_type) as customer_type,

        -- names
        (
            array_agg(
                display_name order by {{ order_by | replace('ATTR', 'display_name') }}
            ) filter (where display_name is not null)
        )[1]
            as display_name,
        (
            array_agg(
                {{ source }} order by {{ order_by | replace('ATTR', 'display_name') }}
            ) filter (where display_name is not null)
        )[1] as display_name_source,
        -- a record that carries no name at all (real exports have them) is still a customer: name it by
        -- its source record so BI never shows an empty name
        (array_agg(source_system || ' ' || source_entity || ' ' || source_record_id order by {{ order_by_name }}))[1]
            as record_name,

        -- contact details: a personal mailbox beats a shared one (info@)
        (
            array_agg(
                email order by email_is_role, {{ order_by | replace('ATTR', 'email') }}
            ) filter (where email is not null)
        )[1]
            as email,
        (
            array_agg(
                {{ source }} order by email_is_role, {{ order_by | replace('ATTR', 'email') }}
            ) filter (where email is not null)
        )[1]
            as email_source,
        (
            array_agg(phone order by {{ order_by | replace('ATTR', 'phone') }}) filter (where phone is not null)
        )[1] as phone,
        (
            array_agg({{ source }} order by {{ order_by | replace('ATTR', 'phone') }}) filter (where phone is not null)
        )[1] as phone_source,

        -- address: the whole address of one record, never a mix of two
        {%- for column in ['street', 'house_number', 'house_number_addition', 'postcode', 'city'] %}
            (
                array_agg(
                    {{ column }} order by {{ order_by | replace('ATTR', 'address') }}
                ) filter (where postcode is not null)
            )[1]
                as {{ column }},
        {%- endfor %}
        coalesce(
            (
                array_agg(
                    country order by {{ order_by | replace('ATTR', 'address') }}
                ) filter (where postcode is not null)
            )[1],
            'NL'
        ) as country,
        (
            array_agg(
                {{ source }} order by {{ order_by | replace('ATTR', 'address') }}
            ) filter (where postcode is not null)
        )[1]
            as address_source,

        -- registration
        {%- for column in ['kvk_number', 'vat_number'] %}
            (
                array_agg(
                    {{ column }} order by {{ order_by | replace('ATTR', column) }}
                ) filter (where {{ column }} is not null)
            )[1]
                as {{ column }},
            (
                array_agg(
                    {{ source }} order by {{ order_by | replace('ATTR', column) }}
                ) filter (where {{ column }} is not null)
            )[1]
                as {{ column }}_source,
        {%- endfor %}

        -- crm account of the customer, for its account manager
        (
            array_agg(source_record_id order by {{ order_by_name }})
            filter (where source_system = 'crm' and source_entity = 'accounts')
        )[1
        ] as crm_account_id,

        -- consent: null when no source says anything; a customer whose every record has ended is not contacted
        case when bool_or(is_current) then bool_and(email_opt_in) else false end as email_opt_in,
        case when bool_or(is_current) then bool_and(phone_opt_in) else false end as phone_opt_in,
        bool_or(is_current) as is_current,

        -- lineage
        min(first_seen_at) as first_seen_at,
        count(*) as source_record_count,
        count(distinct party_id) as party_count
    from records
    group by customer_id

),

final as (

    select
        golden.customer_id,
        golden.customer_type,
        coalesce(golden.display_name, golden.email, golden.phone, golden.record_name) as display_name,
        case
            when golden.display_name is not null then golden.display_name_source
            when golden.email is not null then golden.email_source
            when golden.phone is not null then golden.phone_source
        end as display_name_source,
        golden.email,
        golden.email_source,
        golden.phone,
        golden.phone_source,
        golden.street,
        golden.house_number,
        golden.house_number_addition,
        golden.postcode,
        golden.city,
        golden.country,
        golden.address_source,
        golden.kvk_number,
        golden.kvk_number_source,
        golden.vat_number,
        golden.vat_number_source,
        golden.first_seen_at,
        golden.email_opt_in,
        golden.phone_opt_in,
        golden.is_current,
        accounts.account_manager,
        golden.source_record_count,
        golden.party_count
    from golden
    left join accounts on golden.crm_account_id = accounts.account_id

)

select * from final
