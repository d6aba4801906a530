-- One row per vendor, site (NULL: vendor-wide) and valid_from: the rows of base_raw__vendor_rates
-- that passed every check and are not superseded. A rate holds from valid_from until the next
-- valid_from of the same vendor and site. Rejected rows are in rejected_rows.
with

checked as (
    select * from {{ ref('base_raw__vendor_rates') }}
),

final as (
    select
        vendor,
        site,
        currency,
        valid_from,
        hourly_rate,
        per_judgement_rate
    from checked
    where reject_reason is null and not is_superseded
)

select * from final
