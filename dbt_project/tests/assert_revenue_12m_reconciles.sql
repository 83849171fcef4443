{#- The revenue the Python models scored (customer_360.revenue_12m) equals the revenue of int_invoices in
    the 12m window (as_of - 12 months, as_of], per customer, to the cent. -#}
with

invoices as (

    select customer_id, sum(revenue) as revenue_12m
    from {{ ref('int_invoices') }}
    where customer_id is not null and {{ in_window_12m('invoice_date') }}
    group by customer_id

),

customer_360 as (

    select customer_id, revenue_12m from {{ ref('customer_360') }}

)

select
    coalesce(customer_360.customer_id, invoices.customer_id) as customer_id,
    customer_360.revenue_12m as customer_360_revenue_12m,
    invoices.revenue_12m as invoices_revenue_12m
from customer_360
full outer join invoices on customer_360.customer_id = invoices.customer_id
where abs(coalesce(customer_360.revenue_12m, 0) - coalesce(invoices.revenue_12m, 0)) >= 0.01
