{#
    calibration_bin(score, n_bins) -> the 0-based equal-width bin of a score in [0, 1], with the
    bin-edge convention of scikit-learn calibration_curve(strategy='uniform'): edges
    e_k = k * (1 / n_bins) (numpy.linspace), bin = number of inner edges e_1..e_{n_bins-1}
    strictly below the score (numpy.searchsorted, side='left'). So bins are (e_{k}, e_{k+1}],
    except the first which also holds 0, and a score of exactly 1.0 is in the last bin. The
    floor() guess is corrected by comparing with the two nearest edges computed exactly as
    numpy does, so scores on an edge (0.3 vs 0.30000000000000004) land where numpy puts them.
#}
{% macro calibration_bin(score, n_bins) -%}
    {%- set width = '(cast(1 as double) / ' ~ n_bins ~ ')' -%}
    {%- set k0 = 'cast(floor(' ~ score ~ ' * ' ~ n_bins ~ ') as integer)' -%}
    (
        case when {{ k0 }} >= 2 then {{ k0 }} - 1 else 0 end
        + case
            when {{ k0 }} >= 1 and {{ k0 }} <= {{ n_bins }} - 1
                and cast({{ k0 }} as double) * {{ width }} < {{ score }} then 1
            else 0
        end
        + case
            when {{ k0 }} + 1 >= 1 and {{ k0 }} + 1 <= {{ n_bins }} - 1
                and cast({{ k0 }} + 1 as double) * {{ width }} < {{ score }} then 1
            else 0
        end
    )
{%- endmacro %}


{#
    expected_calibration_error(n_in_bin, mean_score, positive_rate) -> an aggregate expression
    over the non-empty bins of one group:

        ECE = sum_b (n_b / N) * |mean_score_b - positive_rate_b|

    Reference: Naeini, Cooper & Hauskrecht (2015); Guo et al. (2017), eq. 3.
#}
{% macro expected_calibration_error(n_in_bin, mean_score, positive_rate) -%}
    {{ safe_divide(
        'sum(' ~ n_in_bin ~ ' * abs(' ~ mean_score ~ ' - ' ~ positive_rate ~ '))',
        'sum(' ~ n_in_bin ~ ')'
    ) }}
{%- endmacro %}
