{#
    Casting helpers used by the staging layer. Each returns NULL (never an error) when the text
    does not parse, so the staging models can reject the row with a reason.
#}

{# Text -> UTC timestamp without time zone. An ISO-8601 offset is honoured; no offset = UTC. #}
{% macro to_utc_timestamp(expr) %}
    {{ return(adapter.dispatch('to_utc_timestamp', 'labelhouse')(expr)) }}
{% endmacro %}

{% macro default__to_utc_timestamp(expr) -%}
    cast({{ expr }} as timestamp)
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(expr) -%}
    {#- the instant's microseconds since the epoch, as a UTC wall-clock timestamp: the same value as
        timezone('UTC', ...) at half the cost (no ICU time-zone conversion per row) -#}
    make_timestamp(epoch_us(try_cast({{ expr }} as timestamptz)))
{%- endmacro %}

{% macro spark__to_utc_timestamp(expr) -%}
    to_utc_timestamp(try_to_timestamp({{ expr }}), 'UTC')
{%- endmacro %}


{# Text -> typed value, NULL when it does not parse. #}
{% macro try_cast_to(expr, type) %}
    {{ return(adapter.dispatch('try_cast_to', 'labelhouse')(expr, type)) }}
{% endmacro %}

{% macro default__try_cast_to(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}


{# Text -> boolean: true/t/yes/y/1 and false/f/no/n/0, case-insensitive; else NULL. #}
{% macro parse_boolean(expr) -%}
    case
        when lower(trim({{ expr }})) in ('true', 't', 'yes', 'y', '1') then true
        when lower(trim({{ expr }})) in ('false', 'f', 'no', 'n', '0') then false
    end
{%- endmacro %}


{# Trimmed text, NULL when blank. #}
{% macro clean_text(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}


{# Language tag -> lower-case primary subtag ('pt-BR' -> 'pt', 'EN' -> 'en'), NULL when blank. #}
{% macro normalise_language(expr) -%}
    nullif(lower(split_part(replace(trim({{ expr }}), '_', '-'), '-', 1)), '')
{%- endmacro %}


{# Label -> lower-case, trimmed, spaces and hyphens as underscores. #}
{% macro normalise_label(expr) -%}
    nullif(replace(replace(lower(trim({{ expr }})), ' ', '_'), '-', '_'), '')
{%- endmacro %}


{# A JSON object of the given text columns, kept with rejected rows for diagnosis. #}
{% macro json_record(columns, prefix='') %}
    {{ return(adapter.dispatch('json_record', 'labelhouse')(columns, prefix)) }}
{% endmacro %}

{% macro duckdb__json_record(columns, prefix='') -%}
    cast(to_json({ {%- for c in columns %}'{{ c }}': {{ prefix }}{{ c }}{{ ', ' if not loop.last }}{% endfor -%} }) as varchar)
{%- endmacro %}

{% macro spark__json_record(columns, prefix='') -%}
    to_json(named_struct({%- for c in columns %}'{{ c }}', {{ prefix }}{{ c }}{{ ', ' if not loop.last }}{% endfor -%}))
{%- endmacro %}


{#
    first_failure(checks) -> a CASE giving the reason of the first failed check, NULL if none.
    checks: list of [condition_sql, reason_text]; a condition is true when the row FAILS.
#}
{% macro first_failure(checks) -%}
    case
    {%- for check in checks %}
        when {{ check[0] }} then '{{ check[1] }}'
    {%- endfor %}
    end
{%- endmacro %}
