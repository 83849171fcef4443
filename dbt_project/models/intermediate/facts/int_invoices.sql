{{
    config(
        indexes=[{'columns': ['invoice_id'], 'unique': true}, {'columns': ['customer_id']}],
    )
}}

{#- Invoices up to the as-of date with their customer (through the debtor's identity record).
    Revenue is amount_excl_vat of invoices not credited; margin is revenue - cost_amount. -#}
with

invoices as (

    select * from {{ ref('stg_finance__invoices') }}
    where {{ not_after_as_of('invoice_date', is_timestamp=false) }}

),

debtors as (

    select
        source_record_id as debtor_number,
        customer_id,
        party_id
    from {{ ref('int_party_records_identified') }}
    where source_system = 'finance' and source_entity = 'debtors'

),

final as (

    select
        -- ids
        invoices.invoice_number as invoice_id,
        invoices.debtor_number,
        debtors.customer_id,
        debtors.party_id,

        -- dates
        invoices.invoice_date,
        invoices.due_date,
        invoices.paid_date,

        -- amounts
        invoices.amount_excl_vat,
        invoices.vat_amount,
        invoices.cost_amount,
        invoices.status,
        invoices.is_credited,
        case when invoices.is_credited then 0 else coalesce(invoices.amount_excl_vat, 0) end as revenue,
        case
            when invoices.is_credited then 0
            else coalesce(invoices.amount_excl_vat, 0) - coalesce(invoices.cost_amount, 0)
        end as margin
    from invoices
    left join debtors on invoices.debtor_number = debtors.debtor_number

)

select * from final
