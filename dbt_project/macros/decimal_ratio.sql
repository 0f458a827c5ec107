{#-
    Exact quotients for scores, shares and averages: never DOUBLE.

    DuckDB computes `a / b` of two DECIMALs, and avg(), in DOUBLE, and a DOUBLE
    summed by several threads depends on the order they finish in (a loyalty score
    was published as 79.98 by one run and 79.97 by the next). The rule of the project:
    every sum and average runs over DECIMAL or integer inputs (DuckDB's sum of
    DECIMALs is exact), and the one division that makes a ratio or a mean of them
    goes through this macro.

    decimal_ratio(numerator, denominator, scale=2, input_scale=4, rounding='half_up')
    is numerator / denominator as DECIMAL(38, scale), computed on the scaled integers
    (big_integer(): HUGEINT on DuckDB):
      rounding 'half_up'  to the nearest, a half away from zero (as round() of a
                          DECIMAL: 17.855 -> 17.86, -0.125 -> -0.13);
      rounding 'floor'    toward -infinity (scale 0 with integers = integer floor).
    Both inputs may have at most `input_scale` decimals (more are rounded to it
    first) and must stay below 10^(38 - 2 * input_scale) in absolute value.
    NULL when an input is NULL or the denominator is 0.
-#}

{% macro decimal_ratio(numerator, denominator, scale=2, input_scale=4, rounding='half_up') -%}
    {%- if rounding not in ['half_up', 'floor'] -%}
        {{ exceptions.raise_compiler_error("decimal_ratio: rounding is 'half_up' or 'floor'") }}
    {%- endif -%}
    {%- set n -%}
        (cast(cast({{ numerator }} as decimal(38, {{ input_scale }})) * {{ 10 ** input_scale }}
            as {{ big_integer() }}) * {{ 10 ** scale }})
    {%- endset -%}
    {%- set d -%}
        cast(cast({{ denominator }} as decimal(38, {{ input_scale }})) * {{ 10 ** input_scale }}
            as {{ big_integer() }})
    {%- endset -%}
    {%- if rounding == 'half_up' -%}
        {#- on the magnitudes: floor((2|n| + |d|) / 2|d|) = |n / d| rounded half up -#}
        {%- set q -%}
            (case when ({{ n }} < 0) <> ({{ d }} < 0) then -1 else 1 end)
            * ({{ int_div('2 * abs(' ~ n ~ ') + abs(' ~ d ~ ')', '2 * abs(' ~ d ~ ')') }})
        {%- endset -%}
    {%- else -%}
        {#- int_div truncates toward zero: one step down when inexact and negative -#}
        {%- set q -%}
            ({{ int_div(n, d) }}
            - (case when {{ n }} % {{ d }} <> 0 and ({{ n }} < 0) <> ({{ d }} < 0)
                then 1 else 0 end))
        {%- endset -%}
    {%- endif -%}
    (case
        when {{ numerator }} is null or {{ denominator }} is null or {{ denominator }} = 0
            then null
        else {{ scaled_integer(q, scale) }}
    end)
{%- endmacro %}
