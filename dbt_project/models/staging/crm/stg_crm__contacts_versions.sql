{#- All delivered versions of each record, typed and standardised; see stg_crm__contacts for the latest. -#}
with

source as (

    select * from {{ source('raw', 'crm_contacts') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('contact_id') }} as contact_id,
        {{ clean_text('account_id') }} as account_id,

        -- names
        {{ fold_text('source.first_name') }} as first_name,
        coalesce({{ fold_text(name_expanded('source.infix')) }}, parsed_name.parsed_infix) as infix,
        parsed_name.parsed_last_name as last_name,
        nullif(
            concat_ws(
                ' ',
                {{ display_case(clean_text('source.first_name')) }},
                coalesce({{ fold_text(name_expanded('source.infix')) }}, parsed_name.parsed_infix),
                parsed_name.parsed_last_name_display
            ),
            ''
        )
            as display_name,

        -- contact details
        {{ clean_email('email') }} as email,
        {{ clean_phone('phone') }} as phone,
        {{ clean_phone('mobile') }} as mobile,

        -- address
        {{ clean_text('street') }} as street,
        {{ house_number('house_number') }} as house_number,
        {{ house_number_addition('house_number') }} as house_number_addition,
        {{ clean_postcode('postcode') }} as postcode,
        {{ clean_text('city') }} as city,
        {{ clean_country('country') }} as country,

        -- consent
        {{ parse_boolean('email_opt_in') }} as email_opt_in,
        {{ parse_boolean('phone_opt_in') }} as phone_opt_in,

        -- dates
        {{ parse_date('birth_date') }} as birth_date,
        {{ parse_timestamp('created_at') }} as created_at,
        {{ parse_timestamp('updated_at') }} as updated_at,

        -- lineage
        {{ lineage_columns('source') }}

    from source
    -- one parse per row (macro name_parts), its parts used by several columns
    cross join lateral {{ name_parts('source.last_name', mode='last') }} as parsed_name  -- noqa: ST05

),

versioned as (

    select
        *,
        {{ version_columns('contact_id', updated_at='updated_at') }}
    from renamed
    where contact_id is not null

)

select * from versioned
