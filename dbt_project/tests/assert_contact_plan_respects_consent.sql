{#- No planned contact on a channel whose consent (seeds/channel_costs.csv) the customer has not given. -#}
select contact_plan.*
from {{ ref('contact_plan') }} as contact_plan
inner join {{ ref('dim_customer') }} as customers on contact_plan.customer_id = customers.customer_id
left join {{ ref('channel_costs') }} as costs
    on contact_plan.channel = costs.channel and costs.direction = 'outbound'
where contact_plan.status <> 'suppressed'
    and not {{ consent_allows('costs.consent', 'customers.email_opt_in', 'customers.phone_opt_in',
                              'customers.postcode is not null or customers.street is not null') }}
