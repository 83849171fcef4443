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
        {{ fold_text('first_name') }} as first_name,
        {{ dutch_infix('last_name') }} as infix,
        {{ dutch_last_name('last_name') }} as last_name,
        nullif(concat_ws(' ', initcap({{ clean_text('first_name') }}), {{ dutch_infix('last_name') }}, initcap({{ dutch_last_name('last_name') }})), '') as display_name,
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
        source._load_id as load_id,
        source._source_file as source_file,
        source._row_number as source_row_number,
        source._loaded_at as loaded_at,
        source._extra as extra_columns

    from source

),

versioned as (

    select
        *,
        row_number() over (partition by subscriber_id order by load_id desc, source_row_number desc) as version_rank,
        count(*) over (partition by subscriber_id) as version_count,
        row_number() over (partition by subscriber_id order by load_id desc, source_row_number desc) = 1 as is_latest
    from renamed
    where subscriber_id is not null

)

select * from versioned
