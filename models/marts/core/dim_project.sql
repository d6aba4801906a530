-- One row per project: its settings (defaults filled in) and its size so far.
with

projects as (
    select * from {{ ref('stg_raw__projects') }}
),

items as (
    select * from {{ ref('int_items') }}
),

project_items as (
    select
        project_id,
        count(*) as n_items,
        min(created_at) as first_item_created_at,
        max(created_at) as last_item_created_at
    from items
    group by project_id
),

project_ids as (
    select project_id from projects
    union
    select project_id from project_items
),

final as (
    select
        project_ids.project_id,
        coalesce(projects.project_name, project_ids.project_id) as project_name,
        coalesce(projects.labels_per_item, {{ var('default_labels_per_item') }}) as labels_per_item,
        projects.target_items,
        projects.due_date,
        projects.sla_hours,
        coalesce(project_items.n_items, 0) as n_items,
        project_items.first_item_created_at,
        project_items.last_item_created_at
    from project_ids
    left join projects on project_ids.project_id = projects.project_id
    left join project_items on project_ids.project_id = project_items.project_id
)

select * from final
