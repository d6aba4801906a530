{#
    number_text(value, decimals) -> the number as text, the same on every engine: rounded to
    `decimals` places, written in plain notation (never 1.8e-05 / 1.8E-5, which DuckDB and Spark
    print differently), trailing zeros dropped (0.837, not 0.837000); a non-zero value that
    rounds to zero reads '<0.000001' (for decimals = 6), so a tiny p-value never reads 0; NULL
    stays NULL. For messages only: figures stay numbers in their own columns.
#}
{% macro number_text(value, decimals) -%}
    case
        when ({{ value }}) is null then null
        when ({{ value }}) <> 0 and abs({{ value }}) < {{ 0.5 * 10 ** (-decimals) }}
            then concat(case when ({{ value }}) < 0 then '>-' else '<' end, '{{ "%.*f" | format(decimals, 10 ** (-decimals)) }}')
        else
            regexp_replace(
                regexp_replace(
                    cast(cast(round({{ value }}, {{ decimals }}) as decimal(38, {{ decimals }})) as {{ dbt.type_string() }}),
                    '0+$', ''
                ),
                '[.]$', ''
            )
    end
{%- endmacro %}
