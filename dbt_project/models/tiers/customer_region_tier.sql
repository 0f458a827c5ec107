-- Insurer region tier (客户地域) per spine customer: the region group of the
-- province (seed province_regions -> region_groups: 华东, 华南, 华北, 华中, 西南,
-- 东北, 西北) with the city tier of the city (seed city_tiers -> city_tier_levels:
-- 一线, 新一线, 二线, 其他 for any city not listed), and the figures the region group
-- carries in this run: its customers, their total and average trailing 12-month
-- contribution. The region rank is the business's market priority from the seed
-- (configurable), not a judgement of the customer; distance_to_next_tier is NULL
-- because a region is not reached by moving an amount. UNRATED when the province is
-- missing or unmapped (and the city tier UNRATED when the city is missing).
{%- set reason_zh -%}
    '省份' || features.province || '属于' || region_group.label_zh || '地区'
    || coalesce('，' || features.city || '为' || city_tier.label_zh, '')
    || '；' || region_group.label_zh || '地区客户 '
    || {{ format_number('features.region_customer_count') }}
    || ' 名，近12个月贡献合计 ' || {{ format_number('features.region_contribution_total') }}
    || '，户均 ' || {{ format_number('features.region_contribution_avg') }}
{%- endset %}
{%- set reason_en -%}
    'Province ' || features.province || ' is in ' || region_group.label_en
    || coalesce('; city ' || features.city || ' is a ' || city_tier.label_en, '')
    || '; ' || region_group.label_en || ' has '
    || {{ format_number('features.region_customer_count') }}
    || ' customers contributing ' || {{ format_number('features.region_contribution_total') }}
    || ' in total over 12 months, ' || {{ format_number('features.region_contribution_avg') }}
    || ' on average'
{%- endset %}
with

mapped as (

    -- any city not listed is of the default city tier; no city has no city tier
    select
        spine.customer_id,
        spine.as_of_date,
        profiles.province,
        profiles.city,
        transaction_totals.contribution_12m,
        provinces.region_code,
        case when profiles.city is not null then coalesce(
                    cities.city_tier_code,
                    (
                        select default_level.tier_code
                        from {{ ref('city_tier_levels') }} as default_level
                        where default_level.is_default
                    )
                )
        end as city_code
    from {{ tier_spine() }} as spine
    inner join {{ ref('int_customer_profiles_enriched') }} as profiles
        on spine.customer_id = profiles.customer_id
    inner join {{ ref('int_customer_transactions_aggregated') }} as transaction_totals
        on spine.customer_id = transaction_totals.customer_id
    left join {{ ref('province_regions') }} as provinces
        on profiles.province = provinces.province
    left join {{ ref('city_tiers') }} as cities
        on profiles.city = cities.city

),

region_figures as (

    select
        region_code,
        count(*) as region_customer_count,
        sum(contribution_12m) as region_contribution_total,
        -- the mean as an exact decimal (macro decimal_ratio), not avg() (DOUBLE)
        {{ decimal_ratio('sum(contribution_12m)', 'count(*)', input_scale=2) }}
            as region_contribution_avg
    from mapped
    where region_code is not null
    group by region_code

),

features as (

    select
        mapped.*,
        {{ star_except("region_figures", ["region_code"]) }}
    from mapped
    left join region_figures
        on mapped.region_code = region_figures.region_code

),

{{ tier_model([
    {'scheme': 'region_group', 'match': 'features.region_code',
     'reason_zh': reason_zh, 'reason_en': reason_en},
    {'scheme': 'city_tier', 'match': 'features.city_code'},
], features='features') }}
