{{ config(materialized='ephemeral') }}

{#- Per customer: the segment's control-group share and whether the customer is held out of planned
    cadence contacts (a stable hash of salt and customer id, as campaign tools do). customer_360 and
    contact_plan both read it, so the group is drawn once. -#}
with

segments as (

    select
        customer_id,
        segment
    from {{ ref('customer_segments') }}

),

strategy as (

    select
        segment,
        control_group_share
    from {{ ref('contact_strategy') }}

),

final as (

    select
        segments.customer_id,
        segments.segment,
        strategy.control_group_share,
        {{ in_control_group('segments.customer_id', 'strategy.control_group_share',
                            contact_setting('control_group_salt')) }} as control_group
    from segments
    left join strategy on segments.segment = strategy.segment

)

select * from final
