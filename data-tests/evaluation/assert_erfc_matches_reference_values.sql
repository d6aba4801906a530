-- The portable erfc macro (Cody's CALERF approximations, behind the McNemar chi-square
-- p-value) agrees with reference values of erfc (scipy.special.erfc, i.e. cephes) to a
-- relative 1e-13 on every interval of the approximation. Returns the points that do not.
with

reference_values as (
    select
        reference_rows.x,
        reference_rows.expected
    from (
        values
        (0.0, 1.0),
        (0.25, 0.7236736098317631),
        (0.46875, 0.507386526782062),
        (0.5, 0.4795001221869535),
        (1.0, 0.15729920705028516),
        (2.0, 0.004677734981047266),
        (3.5, 7.430983723414129e-07),
        (4.0, 1.541725790028002e-08),
        (4.5, 1.9661604415428878e-10),
        (6.0, 2.1519736712498913e-17),
        (10.0, 2.0884875837625446e-45),
        (20.0, 5.395865611607901e-176)
    ) as reference_rows (x, expected)
),

computed as (
    select
        x,
        expected,
        {{ labelhouse.erfc('x') }} as actual
    from reference_values
)

select *
from computed
where actual is null or abs(actual - expected) > 1e-13 * expected
