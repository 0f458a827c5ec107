{#-
    A band seed (see macros/tier_kit/band_lookup.sql) must map every value to at most one
    band: no two bands may share a value, and at most one band may take NULLs.
    Returns the offending pairs. `group_by` (columns) checks each group separately,
    for a seed holding the bands of several factors (seed factor_bands).
-#}
{% test bands_do_not_overlap(model, group_by=[]) %}

with

bands as (

    select * from {{ model }}

),

overlapping_pairs as (

    select
        a.tier_code as band_a,
        b.tier_code as band_b,
        'ranges overlap' as problem
    from bands as a
    inner join bands as b
        on a.tier_code < b.tier_code
        {%- for g in group_by %}
        and a.{{ g }} = b.{{ g }}
        {%- endfor %}
    where
        -- a starts below b's end ...
        (
            a.lower_bound is null
            or b.upper_bound is null
            or a.lower_bound < b.upper_bound
            or (a.lower_bound = b.upper_bound and a.lower_inclusive and b.upper_inclusive)
        )
        -- ... and b starts below a's end
        and (
            b.lower_bound is null
            or a.upper_bound is null
            or b.lower_bound < a.upper_bound
            or (b.lower_bound = a.upper_bound and b.lower_inclusive and a.upper_inclusive)
        )

),

null_bands as (

    select
        min(tier_code) as band_a,
        max(tier_code) as band_b,
        'more than one band matches NULL' as problem
    from bands
    where matches_null
    {%- if group_by %}
    group by {{ group_by | join(', ') }}
    {%- endif %}
    having count(*) > 1

)

select * from overlapping_pairs
union all
select * from null_bands

{% endtest %}
