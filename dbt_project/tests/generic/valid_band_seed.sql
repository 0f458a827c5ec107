{#-
    The layout of a band seed in one query (instead of a not_null / unique test per
    column): tier_code and tier_rank unique (within each `group_by` group), labels,
    inclusivity flags and matches_null present. Returns the problems.
-#}
{% test valid_band_seed(model, group_by=[]) %}

{%- set keys = group_by | list %}

with

bands as (

    select * from {{ model }}

),

duplicates as (

    select 'duplicate tier_code ' || tier_code as problem
    from bands
    group by {% for g in keys %}{{ g }}, {% endfor %}tier_code
    having count(*) > 1
    union all
    select 'duplicate tier_rank ' || tier_rank
    from bands
    group by {% for g in keys %}{{ g }}, {% endfor %}tier_rank
    having count(*) > 1

),

incomplete as (

    select 'incomplete band ' || coalesce(tier_code, '(no code)') as problem
    from bands
    where tier_code is null
        or tier_rank is null
        or label_zh is null
        or label_en is null
        or lower_inclusive is null
        or upper_inclusive is null
        or matches_null is null

)

select * from duplicates
union all
select * from incomplete

{% endtest %}
