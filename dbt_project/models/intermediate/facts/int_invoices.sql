{{
    config(
        indexes=[{'columns': ['invoice_id'], 'unique': true}, {'columns': ['customer_id']}],
    )
}}

{#- Invoices up to the as-of date with their customer (through the debtor's identity record).
    Revenue is amount_excl_vat of invoices not credited; margin is revenue - cost_amount (macro billable).
    credited_on dates the credit (exports carry no credit date): the invoice date when the invoice's first
    delivery already says credited, else the last invoice date of the delivery that first said so. -#}
with

invoices as (

    select * from {{ ref('stg_finance__invoices') }}
    where {{ not_after_as_of('invoice_date', is_timestamp=false) }}

),

versions as (

    select
        invoice_number,
        invoice_date,
        is_credited,
        load_id,
        version_rank,
        version_count
    from {{ ref('stg_finance__invoices_versions') }}

),

deliveries as (

    select
        load_id,
        max(invoice_date) as delivered_through
    from versions
    group by load_id

),

credits as (

    select
        versions.invoice_number,
        min(
            case
                when versions.version_rank = versions.version_count then versions.invoice_date
                else greatest(versions.invoice_date, deliveries.delivered_through)
            end
        ) as credited_on
    from versions
    inner join deliveries on versions.load_id = deliveries.load_id
    where versions.is_credited
    group by versions.invoice_number

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
        case when invoices.is_credited then credits.credited_on end as credited_on,
        {{ billable('invoices.amount_excl_vat', 'credits.credited_on', as_of()) }}
            as revenue,
        {{ billable('invoices.cost_amount', 'credits.credited_on', as_of()) }}
            as cost,
        {{ billable('invoices.amount_excl_vat - coalesce(invoices.cost_amount, 0)', 'credits.credited_on',
                    as_of()) }} as margin
    from invoices
    left join debtors on invoices.debtor_number = debtors.debtor_number
    left join credits on invoices.is_credited and invoices.invoice_number = credits.invoice_number

)

select * from final
