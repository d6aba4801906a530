-- The label taxonomy: the raw `labels` files when the raw directory has any, else the bundled
-- default seed. Typed, with reject reason and supersession flag.
-- depends_on: {{ ref('land_raw__labels') }}
{%- set has_raw_labels = raw_files('labels') | length > 0 %}
with

{% if has_raw_labels -%}
    raw_rows as (
        select * from {{ ref('land_raw__labels') }}
    ),
{%- else -%}
    raw_rows as (
        select
            'seed:labels.csv' as source_file,
            cast(row_number() over (order by label) as bigint) as source_row_number,
            cast(label as {{ dbt.type_string() }}) as label,
            cast(policy_area as {{ dbt.type_string() }}) as policy_area,
            cast(is_violating as {{ dbt.type_string() }}) as is_violating,
            cast(severity as {{ dbt.type_string() }}) as severity
        from {{ ref('labels') }}
    ),
{%- endif %}

typed as (
    select
        source_file,
        source_row_number,
        {{ json_record(contract_columns('labels')) }} as raw_record,
        {{ normalise_label('label') }} as label,
        {{ clean_text('policy_area') }} as policy_area,
        {{ parse_boolean('is_violating') }} as is_violating,
        {{ try_cast_to('trim(severity)', 'integer') }} as severity,
        {{ clean_text('is_violating') }} as is_violating_text,
        {{ clean_text('severity') }} as severity_text
    from raw_rows
),

checked as (
    select
        *,
        case
            {{ reject_if_blank(['label']) }}
            {{ reject_if_unparsable(['is_violating', 'severity']) }}
        end as reject_reason
    from typed
),

versioned as (
    select
        *,
        {{ version_rank(['label']) }} as version_rank
    from checked
),

final as (
    select
        source_file,
        source_row_number,
        raw_record,
        label,
        policy_area,
        is_violating,
        severity,
        reject_reason,
        {{ is_superseded() }} as is_superseded
    from versioned
)

select * from final
