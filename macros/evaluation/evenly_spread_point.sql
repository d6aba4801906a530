{#
    evenly_spread_point(point_rank, n_points, max_points) -> true when the point of rank
    point_rank (1-based) of a curve of n_points points is one of at most max_points evenly spread
    points: every point when n_points <= max_points, else the ranks floor(i * (n - 1) / (max - 1))
    + 1, i = 0 .. max - 1, the first and the last included. A rank j (0-based) is one of them when
    the smallest i with i * (n - 1) >= j * (max - 1) also has i * (n - 1) < (j + 1) * (max - 1).
#}
{% macro evenly_spread_point(point_rank, n_points, max_points) -%}
    (
        {{ n_points }} <= {{ max_points }}
        or cast(
            ceil(cast(({{ point_rank }} - 1) * ({{ max_points }} - 1) as double) / greatest({{ n_points }} - 1, 1))
            as bigint
        ) * ({{ n_points }} - 1) < {{ point_rank }} * ({{ max_points }} - 1)
    )
{%- endmacro %}
