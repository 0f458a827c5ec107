{% macro as_of_date() -%}
    {#- The business date every model computes as of. Models never read
        current_date/now(): a run for 1998-06-30 on 1998 data gives that day's tiers. -#}
    cast('{{ var("as_of_date") }}' as date)
{%- endmacro %}
