{#- Frequency is a hard cap (triggers included) and the budget is never exceeded, per customer. -#}
select
    contact_plan.customer_id,
    count(*) as moments,
    sum(contact_plan.estimated_cost) as cost
from {{ ref('contact_plan') }} as contact_plan
inner join {{ ref('contact_strategy') }} as strategy on contact_plan.segment = strategy.segment
where contact_plan.status <> 'suppressed'
group by contact_plan.customer_id, strategy.contacts_per_year, strategy.max_contact_cost_per_year
having count(*) > strategy.contacts_per_year or sum(contact_plan.estimated_cost) > strategy.max_contact_cost_per_year
