{% macro as_of_date() -%}
    {#- The business date every model computes as of, from the dbt var as_of_date
        (`--vars '{as_of_date: 2026-10-31}'`). Models never read current_date/now():
        a run for 1998-06-30 on 1998 data gives that day's tiers.

        The var has no project default on purpose: a run without it fails here
        instead of silently computing the tiers of some fixed date. While dbt only
        parses (execute is false) a placeholder stands in, so `dbt parse` and the
        dagster-dbt manifest need no var. -#}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error(
                "dbt var 'as_of_date' is required, e.g. --vars '{as_of_date: 2026-10-31}'"
            ) }}
        {%- endif -%}
        {%- set value = '1970-01-01' -%}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value | string) -%}
        {{ exceptions.raise_compiler_error(
            "dbt var 'as_of_date' must be a date YYYY-MM-DD, got '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    cast('{{ value }}' as date)
{%- endmacro %}
