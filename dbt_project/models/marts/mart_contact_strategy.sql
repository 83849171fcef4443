{#- One row per segment: goal, channels in order of preference, cadence and budget, complaint follow-up
    and control-group share, as marketing keeps them in seeds/contact_strategy.csv, with the cost of the
    preferred channel for context.
    Named mart_contact_strategy in dbt because the seed owns the name; published as contact_strategy. -#}
with

strategy as (

    select * from {{ ref('contact_strategy') }}

),

costs as (

    select
        channel,
        cost_per_contact
    from {{ ref('channel_costs') }}
    where direction = 'outbound'

),

final as (

    select
        strategy.segment,
        strategy.goal,
        strategy.channels,
        split_part(strategy.channels, '|', 1) as preferred_channel,
        strategy.contacts_per_year,
        strategy.max_contact_cost_per_year,
        costs.cost_per_contact as preferred_channel_cost,
        strategy.contacts_per_year * costs.cost_per_contact as preferred_cadence_cost_per_year,
        strategy.complaint_follow_up_channels,
        strategy.complaint_follow_up_hours,
        strategy.control_group_share,
        strategy.dialogue_script
    from strategy
    left join costs on split_part(strategy.channels, '|', 1) = costs.channel

)

select * from final
