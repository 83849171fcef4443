{#- Parties who never bought, scored by how much they resemble the best (high-value) customers on traits
    known before a purchase (ml.lookalike, run var('model_run_id')), with the traits that raise the score
    and the consent flags of dim_customer, so a campaign uses only the channels the party agreed to. -#}
with

lookalikes as (

    select
        customer_id,
        lookalike_score,
        reasons
    from {{ source('ml', 'prospect_lookalikes') }}
    where model_run_id = '{{ var("model_run_id") }}'

),

customers as (

    select
        customer_id,
        customer_type,
        display_name,
        email_opt_in,
        phone_opt_in,
        email,
        phone
    from {{ ref('dim_customer') }}

),

final as (

    select
        lookalikes.customer_id,
        customers.customer_type,
        customers.display_name,
        round(lookalikes.lookalike_score::numeric, 4) as lookalike_score,
        lookalikes.reasons,
        customers.email_opt_in,
        customers.phone_opt_in,
        customers.email_opt_in and customers.email is not null as may_email,
        customers.phone_opt_in and customers.phone is not null as may_call,
        '{{ var("model_run_id") }}' as model_run_id,
        {{ as_of() }} as as_of_date
    from lookalikes
    inner join customers on lookalikes.customer_id = customers.customer_id

)

select * from final
