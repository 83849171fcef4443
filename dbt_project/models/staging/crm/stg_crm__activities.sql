{#- The latest version of each record (updated_at where the source has it, else the last
    delivery and row). History stays queryable in stg_crm__activities_versions.
    ended_at / is_current: records a later `mode: snapshot` delivery no longer contains (macro current_versions). -#}
{{ current_versions('stg_crm__activities_versions', 'activity_id', 'crm', 'activities') }}
