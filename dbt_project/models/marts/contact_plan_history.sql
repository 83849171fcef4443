{{ config(materialized='view', pre_hook="{{ ensure_contact_plan_history() }}") }}

{#- Every published contact plan by as-of date (appended by cvm/publish.py when a run publishes), so
    actual contacts can be compared with the plan that was really published. A re-run for the same
    as-of date adds a new version; is_latest_for_as_of marks the one published last. This run's own
    plan appears here once it is published. -#}
with

history as (

    select * from {{ var('cvm_history_schema', 'history') }}.contact_plan_history

),

final as (

    select
        *,
        published_at = max(published_at) over (partition by as_of_date) as is_latest_for_as_of
    from history

)

select * from final
