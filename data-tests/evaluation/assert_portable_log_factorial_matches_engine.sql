-- The portable default__log_factorial (exact below 21, Stirling's series above; used where the
-- engine has no lgamma) agrees with the engine's own log_factorial to a relative 1e-13 for
-- n = 0 .. 100000. On engines that use default__ the comparison is trivially true.
with

numbers as (
    select {{ labelhouse.expand_integers('100000') }} as n
),

compared as (
    select
        n,
        {{ labelhouse.default__log_factorial('n') }} as portable,
        {{ labelhouse.log_factorial('n') }} as engine
    from numbers
)

select *
from compared
where abs(portable - engine) > 1e-13 * greatest(engine, 1.0)
