{#-
    Exact decimal quotients for values that are banded (debt-to-income, loan-to-value,
    the six-month average assets of the star points).

    DuckDB divides two DECIMALs in DOUBLE, and rounding a ratio to the 4 decimals it is
    shown with before banding it moves values across band edges (0.3600396 would count
    as <= 0.36). The rule: band on the exact value, round only what is displayed.

    exact_quotient(numerator, denominator, scale=18, input_scale=2, rounding='down')
    is numerator / denominator as DECIMAL(38, scale), computed on the scaled integers
    (big_integer(): HUGEINT on DuckDB), never in DOUBLE. Both inputs may have at most `input_scale` decimals
    (CNY amounts: 2). NULL when an input is NULL or the denominator is 0.

    The last digit is rounded in the direction that keeps the band exact
    (`rounding`): for bands whose edges are inclusive from above, [lower, upper)
    (star points), round 'down' (toward -inf); for bands inclusive from below,
    (lower, upper] (debt-to-income, loan-to-value), round 'up' (toward +inf). With a
    band bound of at most `scale` decimals (the seeds hold 4) the quotient then falls
    in exactly the band of the true ratio: floor(x) >= N iff x >= N, ceil(x) <= N iff
    x <= N for an integer N. The quotient keeps `scale` decimals; the tier rounds
    the value it shows.
-#}

{% macro exact_quotient(numerator, denominator, scale=18, input_scale=2, rounding='down') -%}
    {%- if rounding not in ['down', 'up'] -%}
        {{ exceptions.raise_compiler_error("exact_quotient: rounding is 'down' or 'up'") }}
    {%- endif -%}
    {%- set n = 'cast(cast(' ~ numerator ~ ' as decimal(38, ' ~ input_scale ~ ')) * '
        ~ (10 ** input_scale) ~ ' as ' ~ big_integer() ~ ') * ' ~ (10 ** scale) -%}
    {%- set d = 'cast(cast(' ~ denominator ~ ' as decimal(38, ' ~ input_scale ~ ')) * '
        ~ (10 ** input_scale) ~ ' as ' ~ big_integer() ~ ')' -%}
    {#- int_div truncates toward zero: step to the floor / ceiling when inexact -#}
    {%- set q -%}
        {{ int_div(n, d) }}
        {%- if rounding == 'down' %}
        - (case when ({{ n }}) % ({{ d }}) <> 0 and (({{ n }}) < 0) <> (({{ d }}) < 0)
            then 1 else 0 end)
        {%- else %}
        + (case when ({{ n }}) % ({{ d }}) <> 0 and (({{ n }}) < 0) = (({{ d }}) < 0)
            then 1 else 0 end)
        {%- endif %}
    {%- endset -%}
    (case
        when {{ numerator }} is null or {{ denominator }} is null or {{ denominator }} = 0
            then null
        else {{ scaled_integer(q, scale) }}
    end)
{%- endmacro %}
