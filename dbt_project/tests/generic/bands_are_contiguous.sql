{#-
    A band seed must leave no gap above its lowest band: every finite upper bound is
    the lower bound of another band, with the inclusivity flipped (an exclusive end
    meets an inclusive start and vice versa). Returns the bands whose end meets
    nothing, i.e. values just above them would get no tier.
-#}
{% test bands_are_contiguous(model) %}

with

bands as (

    select * from {{ model }}

)

select
    lower_end.tier_code,
    lower_end.upper_bound,
    lower_end.upper_inclusive
from bands as lower_end
where lower_end.upper_bound is not null
    and not exists (
        select 1
        from bands as next_band
        where next_band.lower_bound = lower_end.upper_bound
            and next_band.lower_inclusive = not lower_end.upper_inclusive
    )

{% endtest %}
