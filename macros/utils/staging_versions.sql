{#
    unseen_files(landed='landed', previous='previous') -> SQL selecting the distinct source_file
    of `landed` that `previous` (the incremental model's own rows) has never seen: the files an
    incremental staging build must read.
#}
{% macro unseen_files(landed='landed', previous='previous') -%}
    select distinct {{ landed }}.source_file
    from {{ landed }}
    where {{ landed }}.source_file not in (select distinct {{ previous }}.source_file from {{ previous }})
{%- endmacro %}


{#
    versioned_rows(output_columns, raw_columns, branches=['single_rows', 'versioned']) -> SQL: the
    union of the branches (CTEs carrying `output_columns`, reject_reason, version_rank and the
    raw_<column> values as read), each row with raw_record (its raw columns as JSON, built only
    for rejected rows) and is_superseded (a kept row that a later version of its key replaces).
#}
{% macro versioned_rows(output_columns, raw_columns, branches=['single_rows', 'versioned']) -%}
    {%- for branch in branches %}
        select
            {%- for c in output_columns %}
                {{ c }},
            {%- endfor %}
            case
                when reject_reason is not null
                    then {{ json_record(raw_columns, prefix='raw_') }}
            end as raw_record,
            {{ is_superseded() }} as is_superseded
        from {{ branch }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#
    version_rank(key_columns, latest_first=[]) -> the window expression ranking the versions of a
    staged entity's key: among the kept rows (and, apart, among the rejected rows) of the same
    key, 1 is the version that wins: the greatest of the `latest_first` columns (NULL last), then
    the later file, then the later row. The one statement of the staging layer's "the latest
    export wins" rule; is_superseded() reads the rank it gives.
#}
{% macro version_rank(key_columns, latest_first=[]) -%}
    row_number() over (
        partition by reject_reason is null, {{ key_columns | join(', ') }}
        order by {% for c in latest_first %}{{ c }} desc nulls last, {% endfor %}source_file desc, source_row_number desc
    )
{%- endmacro %}


{#
    is_superseded() -> true for a kept row (no reject_reason) that a later version of its key
    replaces (version_rank > 1, from version_rank()): staged as superseded, not lost.
#}
{% macro is_superseded() -%}
    reject_reason is null and version_rank > 1
{%- endmacro %}


{#
    duplicate_rank(key_columns) -> the window expression ranking exact duplicates within one
    file: rows of the same file, row-level validity and `key_columns` values ranked in file
    order, so the first is kept and the later ones are rejected as duplicates.
#}
{% macro duplicate_rank(key_columns) -%}
    row_number() over (
        partition by row_reject_reason is null, source_file, {{ key_columns | join(', ') }}
        order by source_file, source_row_number
    )
{%- endmacro %}


{#
    duplicate_reject_reason(reason_key) -> the reject_reason of a row of a model that ranks exact
    duplicates with duplicate_rank(): its row-level reason (row_reject_reason) if any, else, for
    a duplicate after the first (duplicate_rank > 1), the reason reason_key (reject_reason()).
    The counterpart of is_superseded() for duplicate_rank().
#}
{% macro duplicate_reject_reason(reason_key) -%}
    coalesce(
        row_reject_reason,
        case when duplicate_rank > 1 then {{ reject_reason(reason_key) }} end
    )
{%- endmacro %}
