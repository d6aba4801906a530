{#
    below_threshold_text(value, threshold) -> text '<value> < <threshold>' for a value that is below
    the threshold (a flag reason), e.g. 'gold accuracy ' || below_threshold_text(...).

    The rule: the value rounded to 3 decimals, or to 4, 5 or 6 when fewer decimals would round it
    up to the threshold, and past 6 decimals the value as the engine prints a double (every digit
    it takes to tell it from any other double). So the printed value is always below the threshold
    as printed: 0.5996 with threshold 0.6 reads '0.5996 < 0.6', never '0.6 < 0.6'. The threshold
    (a number, from a var) is printed as written. Call it only where value < threshold holds (NULL
    or a larger value would print a false statement). Portable SQL: round() and cast() only.
#}
{% macro below_threshold_text(value, threshold) -%}
    concat(
        case
            {%- for digits in [3, 4, 5, 6] %}
                when round({{ value }}, {{ digits }}) < {{ threshold }}
                    then cast(round({{ value }}, {{ digits }}) as {{ dbt.type_string() }})
            {%- endfor %}
            else cast({{ value }} as {{ dbt.type_string() }})
        end,
        ' < {{ threshold }}'
    )
{%- endmacro %}
