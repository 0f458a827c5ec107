{#-
    A band seed must leave no gap above its lowest band: every finite upper bound is
    the lower bound of another band, with the inclusivity flipped (an exclusive end
    meets an inclusive start and vice versa). Returns the bands whose end meets
    nothing, i.e. values just above them would get no tier. `group_by` (columns)
    checks each group separately, for a seed holding the bands of several factors.
-#}
{% test bands_are_contiguous(model, group_by=[]) %}

with

bands as (

    select * from {{ model }}

)

select
    {%- for g in group_by %}
    lower_end.{{ g }},
    {%- endfor %}
    lower_end.tier_code,
    lower_end.upper_bound,
    lower_end.upper_inclusive
from bands as lower_end
where lower_end.upper_bound is not null
    and not exists (
        select 1
        from bands as next_band
        where next_band.lower_bound = lower_end.upper_bound
            {%- for g in group_by %}
            and next_band.{{ g }} = lower_end.{{ g }}
            {%- endfor %}
            and next_band.lower_inclusive = (not lower_end.upper_inclusive)
    )

{% endtest %}
