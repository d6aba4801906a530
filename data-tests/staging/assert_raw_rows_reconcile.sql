-- Nothing is lost: for every entity, the rows counted in the raw files equal the staged rows
-- plus the superseded rows plus the rejected rows (counted once, in raw_row_reconciliation).
-- Returns the entities where that fails.
select *
from {{ ref('raw_row_reconciliation') }}
where n_raw != n_accounted
