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
            reject_reason is null and version_rank > 1 as is_superseded
        from {{ branch }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}
