-- Every goal a segment has in contact_strategy is measured: segment_goals names its KPI and target.
select strategy.segment, strategy.goal
from {{ ref('contact_strategy') }} as strategy
left join {{ ref('segment_goals') }} as goals on strategy.goal = goals.goal
where goals.goal is null
