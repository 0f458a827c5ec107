{% macro as_of_date() -%}
    {#- The business date every model computes as of. Models never read
        current_date/now(): a run for 1998-06-30 on 1998 data gives that day's tiers.

        Taken from the dbt var as_of_date (`--vars '{as_of_date: 2026-10-31}'`, for a
        hand-run dbt), else from the environment variable TIERING_AS_OF_DATE, which
        is how the job passes it. The job uses the environment because a changed
        --vars forces dbt to parse the whole project again (~4 s a run); the variable
        is read only while executing, so dbt's partial parsing keeps working from one
        night to the next.

        There is no default on purpose: a run without a date fails here instead of
        silently computing the tiers of some fixed date. While dbt only parses
        (execute is false) a placeholder stands in, so `dbt parse` and the
        dagster-dbt manifest need no date. -#}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none and execute -%}
        {%- set value = env_var('TIERING_AS_OF_DATE', '') or none -%}
    {%- endif -%}
    {%- if value is none -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error(
                "the as-of date is required: set TIERING_AS_OF_DATE=YYYY-MM-DD"
                ~ " or pass --vars '{as_of_date: YYYY-MM-DD}'"
            ) }}
        {%- endif -%}
        {%- set value = '1970-01-01' -%}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value | string) -%}
        {{ exceptions.raise_compiler_error(
            "the as-of date must be a date YYYY-MM-DD, got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    cast('{{ value }}' as date)
{%- endmacro %}
