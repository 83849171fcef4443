{#- All delivered versions of each record, typed and standardised; see stg_finance__invoices for the latest. -#}
with

source as (

    select * from {{ source('raw', 'finance_invoices') }}

),

load_audit as (

    select
        load_id,
        decimal_separator
    from {{ source('raw', 'load_audit') }}

),

renamed as (

    select
        -- ids
        {{ clean_text('invoice_number') }} as invoice_number,
        {{ clean_text('debtor_number') }} as debtor_number,

        -- text
        {{ parse_code('status') }} as status,

        -- numerics
        {{ parse_amount('amount_excl_vat', 'load_audit.decimal_separator') }} as amount_excl_vat,
        {{ parse_amount('vat_amount', 'load_audit.decimal_separator') }} as vat_amount,
        {{ parse_amount('cost_amount', 'load_audit.decimal_separator') }} as cost_amount,

        -- booleans
        coalesce(lower({{ clean_text('status') }}) = 'credited', false) as is_credited,

        -- dates
        {{ parse_date('invoice_date') }} as invoice_date,
        {{ parse_date('due_date') }} as due_date,
        {{ parse_date('paid_date') }} as paid_date,

        -- lineage
        {{ lineage_columns('source') }}

    from source
    left join load_audit on source._load_id = load_audit.load_id

),

versioned as (

    select
        *,
        {{ version_columns('invoice_number') }}
    from renamed
    where invoice_number is not null

)

select * from versioned
