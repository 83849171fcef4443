{#- No planned e-mail/newsletter without e-mail consent, no planned call without phone consent. -#}
select contact_plan.*
from {{ ref('contact_plan') }} as contact_plan
inner join {{ ref('dim_customer') }} as customers on contact_plan.customer_id = customers.customer_id
where (contact_plan.channel in ('email', 'newsletter', 'social') and not customers.email_opt_in)
    or (contact_plan.channel in ('call', 'phone') and not customers.phone_opt_in)
