-- Every raw row that staging did not keep, with the reason: one table for all entities, so
-- nothing is lost silently. raw = staged + superseded + rejected, per entity (tested).
with

rejected as (
    {%- for entity in var('raw_contract') %}
        select
            '{{ entity }}' as entity,
            source_file,
            source_row_number,
            reject_reason,
            raw_record
        from {{ ref('base_raw__' ~ entity) }}
        where reject_reason is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        entity,
        source_file,
        source_row_number,
        reject_reason,
        raw_record
    from rejected
)

select * from final
