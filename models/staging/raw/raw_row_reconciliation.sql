-- One row per raw entity: the rows counted in its raw files against the staged, superseded and
-- rejected rows. Nothing is lost when n_raw = n_accounted; the dbt test
-- assert_raw_rows_reconcile and the mart gate (expectations/warehouse_reconciliation.json) both
-- read this table, so the reconciliation is written once.
{%- set entities = var('raw_contract') | list %}
with

raw_file_inventory as (
    select * from {{ ref('raw_file_inventory') }}
),

rejected_rows as (
    select * from {{ ref('rejected_rows') }}
),

raw_counts as (
    select
        entity,
        cast(sum(n_rows) as bigint) as n_raw
    from raw_file_inventory
    group by entity
),

entity_counts as (
    {%- for entity in entities %}
        select
            '{{ entity }}' as entity,
            (select count(*) from {{ ref('stg_raw__' ~ entity) }}) as n_staged,
            (
                select count(*) from {{ ref('base_raw__' ~ entity) }}
                where is_superseded
            ) as n_superseded
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

rejected_counts as (
    select
        entity,
        count(*) as n_rejected
    from rejected_rows
    group by entity
),

counted as (
    select
        entity_counts.entity,
        coalesce(raw_counts.n_raw, 0) as n_raw,
        entity_counts.n_staged,
        entity_counts.n_superseded,
        coalesce(rejected_counts.n_rejected, 0) as n_rejected
    from entity_counts
    left join raw_counts on entity_counts.entity = raw_counts.entity
    left join rejected_counts on entity_counts.entity = rejected_counts.entity
    -- the default taxonomy comes from a seed, not a raw file
    where entity_counts.entity != 'labels' or raw_counts.n_raw is not null
),

final as (
    select
        entity,
        n_raw,
        n_staged,
        n_superseded,
        n_rejected,
        n_staged + n_superseded + n_rejected as n_accounted,
        {{ safe_divide('n_rejected', 'n_raw') }} as rejected_share
    from counted
)

select * from final
