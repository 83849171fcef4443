{#- All delivered versions of each record, typed and standardised; see stg_marketing__subscribers for the latest. -#}
with

source as (

    select * from {{ source('raw', 'marketing_subscribers') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('subscriber_id') }} as subscriber_id,

        -- names
        {{ fold_text('source.first_name') }} as first_name,
        parsed_name.parsed_infix as infix,
        parsed_name.parsed_last_name as last_name,
        nullif(
            concat_ws(
                ' ',
                {{ display_case(clean_text('source.first_name')) }},
                parsed_name.parsed_infix,
                parsed_name.parsed_last_name_display
            ),
            ''
        )
            as display_name,
        {{ clean_text('company') }} as company,
        {{ organisation_name('company') }} as organisation_name,
        {{ legal_form('company') }} as legal_form,

        -- contact details
        {{ clean_email('email') }} as email,
        {{ clean_postcode('postcode') }} as postcode,

        -- consent
        {{ parse_boolean('opt_in') }} as opt_in,

        -- timestamps
        {{ parse_timestamp('subscribed_at') }} as subscribed_at,
        {{ parse_timestamp('unsubscribed_at') }} as unsubscribed_at,

        -- lineage
        {{ lineage_columns('source') }}

    from source
    -- one parse per row (macro name_parts), its parts used by several columns
    cross join lateral {{ name_parts('source.last_name', mode='last') }} as parsed_name  -- noqa: ST05

),

versioned as (

    select
        *,
        {{ version_columns('subscriber_id') }}
    from renamed
    where subscriber_id is not null

)

select * from versioned
