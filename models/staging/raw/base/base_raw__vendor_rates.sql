-- One row per raw vendor rate row: every row of the `vendor_rates*` raw files, typed, with its
-- reject reason and supersession flag (the later file wins for the same vendor, site and
-- valid_from). A vendor is known when some staged annotator names it. A currency is three letters
-- A-Z after trimming and upper-casing (ISO 4217 style: 'usd ' is USD, 'US$' is rejected); a rate
-- must be a finite number ('inf', 'nan' and overflowing '1e400' cast, but are no rate).
with

raw_rows as (
    select * from {{ ref('land_raw__vendor_rates') }}
),

annotators as (
    select * from {{ ref('stg_raw__annotators') }}
),

known_vendors as (
    select distinct vendor
    from annotators
    where vendor is not null
),

typed as (
    select
        source_file,
        source_row_number,
        {{ json_record(contract_columns('vendor_rates')) }}
            as raw_record,
        {{ clean_text('vendor') }} as vendor,
        {{ clean_text('site') }} as site,
        upper({{ clean_text('currency') }}) as currency,
        {{ try_cast_to('trim(valid_from)', 'date') }} as valid_from,
        {{ clean_text('valid_from') }} as valid_from_text,
        {{ try_cast_to('trim(hourly_rate)', 'double') }} as hourly_rate,
        {{ clean_text('hourly_rate') }} as hourly_rate_text,
        {{ try_cast_to('trim(per_judgement_rate)', 'double') }} as per_judgement_rate,
        {{ clean_text('per_judgement_rate') }} as per_judgement_rate_text
    from raw_rows
),

checked as (
    select
        typed.*,
        case
            {{ reject_if_blank(['vendor', 'currency'], prefix='typed.') }}
            -- translate() drops A-Z (portable to Spark, unlike a regex function): ^[A-Z]{3}$
            when
                length(typed.currency) != 3
                or translate(typed.currency, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '') != ''
                then {{ reject_reason('currency_not_a_three_letter_code') }}
            {{ reject_if_missing_or_unparsable(['valid_from'], prefix='typed.') }}
            when
                (typed.hourly_rate_text is not null and typed.hourly_rate is null)
                or (typed.per_judgement_rate_text is not null and typed.per_judgement_rate is null)
                then {{ reject_reason('unparsable_rate') }}
            when
                isnan(typed.hourly_rate) or abs(typed.hourly_rate) = cast('infinity' as double)
                or isnan(typed.per_judgement_rate) or abs(typed.per_judgement_rate) = cast('infinity' as double)
                then {{ reject_reason('non_finite_rate') }}
            when (typed.hourly_rate is null) = (typed.per_judgement_rate is null)
                then {{ reject_reason('neither_or_both_rates') }}
            when coalesce(typed.hourly_rate, typed.per_judgement_rate) < 0 then {{ reject_reason('negative_rate') }}
            when known_vendors.vendor is null then {{ reject_reason('unknown_vendor') }}
        end as reject_reason
    from typed
    left join known_vendors on typed.vendor = known_vendors.vendor
),

versioned as (
    select
        *,
        {{ version_rank(['vendor', 'site', 'valid_from']) }} as version_rank
    from checked
),

final as (
    select
        source_file,
        source_row_number,
        raw_record,
        vendor,
        site,
        currency,
        valid_from,
        hourly_rate,
        per_judgement_rate,
        reject_reason,
        {{ is_superseded() }} as is_superseded
    from versioned
)

select * from final
