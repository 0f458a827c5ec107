{#-
    Band lookup shared by every tier table.

    Every band seed has the columns
        tier_code, tier_rank, label_zh, label_en,
        lower_bound, lower_inclusive, upper_bound, upper_inclusive, matches_null
    A value v falls in a band when
        (lower_bound is null or v > lower_bound or (lower_inclusive and v = lower_bound))
        and (upper_bound is null or v < upper_bound or (upper_inclusive and v = upper_bound))
    A NULL bound is unbounded on that side. A NULL value falls only in the band
    with matches_null = true (e.g. "no collateral" is POOR), otherwise in none.
    So "80,000 and above", "0 < p < 50", "p = 0" and "DTI <= 36 %" are all plain
    rows of a seed, and the SQL never holds a threshold.
-#}

{% macro band_match(value, band) -%}
    {#- The condition "`value` falls in the band row `band`" (the rule above), for a
        join or a filter on a band seed. -#}
    (
        ({{ value }} is null and {{ band }}.matches_null)
        or (
            {{ value }} is not null
            and (
                {{ band }}.lower_bound is null
                or {{ value }} > {{ band }}.lower_bound
                or ({{ band }}.lower_inclusive and {{ value }} = {{ band }}.lower_bound)
            )
            and (
                {{ band }}.upper_bound is null
                or {{ value }} < {{ band }}.upper_bound
                or ({{ band }}.upper_inclusive and {{ value }} = {{ band }}.upper_bound)
            )
        )
    )
{%- endmacro %}


{% macro band_join(seed, alias, value, condition=none) -%}
    {#- `left join <seed> as <alias> on <value falls in the band> [and <condition>]`.
        The seed's bands must not overlap (tested on every band seed), so at most one
        row matches; no match leaves the band columns NULL. -#}
    left join {{ ref(seed) }} as {{ alias }}
        on {{ band_match(value, alias) }}
        {%- if condition is not none %}
        and ({{ condition }})
        {%- endif %}
{%- endmacro %}
