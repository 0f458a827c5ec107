-- Insurer region tier (客户地域) per spine customer: the region group of the
-- province (seed province_regions -> region_groups: 华东, 华南, 华北, 华中, 西南,
-- 东北, 西北) with the city tier of the city (seed city_tiers -> city_tier_levels:
-- 一线, 新一线, 二线, 其他 for any city not listed), and the figures the region group
-- carries in this run: its customers, their total and average trailing 12-month
-- contribution. The region rank is the business's market priority from the seed
-- (configurable), not a judgement of the customer; distance_to_next_tier is NULL
-- because a region is not reached by moving an amount. UNRATED when the province is
-- missing or unmapped (and the city tier UNRATED when the city is missing).
with

spine as (

    select customer_id, as_of_date from {{ ref('int_customers_filtered') }}

),

profiles as (

    select * from {{ ref('int_customer_profiles_enriched') }}

),

transactions as (

    select * from {{ ref('int_customer_transactions_aggregated') }}

),

unrated as (

    select * from {{ ref('tier_status_labels') }}

),

default_city_tier as (

    select * from {{ ref('city_tier_levels') }}
    where is_default

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('region_groups') }}

),

mapped as (

    select
        spine.customer_id,
        spine.as_of_date,
        profiles.province,
        profiles.city,
        transactions.contribution_12m,
        region.tier_code as region_code,
        region.tier_rank as region_rank,
        region.label_zh as region_zh,
        region.label_en as region_en,
        coalesce(city_level.tier_code, default_city_tier.tier_code) as city_tier_code,
        coalesce(city_level.tier_rank, default_city_tier.tier_rank) as city_tier_rank,
        coalesce(city_level.label_zh, default_city_tier.label_zh) as city_tier_zh,
        coalesce(city_level.label_en, default_city_tier.label_en) as city_tier_en
    from spine
    inner join profiles
        on spine.customer_id = profiles.customer_id
    inner join transactions
        on spine.customer_id = transactions.customer_id
    left join {{ ref('province_regions') }} as provinces
        on profiles.province = provinces.province
    left join {{ ref('region_groups') }} as region
        on provinces.region_code = region.tier_code
    left join {{ ref('city_tiers') }} as cities
        on profiles.city = cities.city
    left join {{ ref('city_tier_levels') }} as city_level
        on cities.city_tier_code = city_level.tier_code
    left join default_city_tier
        on profiles.city is not null

),

region_figures as (

    select
        region_code,
        count(*) as region_customer_count,
        sum(contribution_12m) as region_contribution_total,
        round(avg(contribution_12m), 2) as region_contribution_avg
    from mapped
    where region_code is not null
    group by region_code

),

labelled as (

    select
        mapped.*,
        coalesce(mapped.region_code, region_unrated.tier_code) as tier_code,
        coalesce(mapped.region_rank, region_unrated.tier_rank) as tier_rank,
        coalesce(mapped.region_zh, region_unrated.label_zh) as tier_label_zh,
        coalesce(mapped.region_en, region_unrated.label_en) as tier_label_en,
        region_unrated.reason_zh as unrated_reason_zh,
        region_unrated.reason_en as unrated_reason_en,
        region_figures.region_customer_count,
        region_figures.region_contribution_total,
        region_figures.region_contribution_avg,
        coalesce(mapped.city_tier_code, city_unrated.tier_code) as city_code,
        coalesce(mapped.city_tier_rank, city_unrated.tier_rank) as city_rank,
        coalesce(mapped.city_tier_zh, city_unrated.label_zh) as city_zh,
        coalesce(mapped.city_tier_en, city_unrated.label_en) as city_en
    from mapped
    left join region_figures
        on mapped.region_code = region_figures.region_code
    left join unrated as region_unrated
        on mapped.region_code is null
        and region_unrated.scheme = 'region'
    left join unrated as city_unrated
        on mapped.city_tier_code is null
        and city_unrated.scheme = 'city_tier'

),

final as (

    select
        cast(customer_id as varchar) as customer_id,
        cast(as_of_date as date) as as_of_date,
        cast(tier_code as varchar) as tier_code,
        cast(tier_rank as integer) as tier_rank,
        cast(tier_label_zh as varchar) as tier_label_zh,
        cast(tier_label_en as varchar) as tier_label_en,
        cast(province as varchar) as province,
        cast(city as varchar) as city,
        cast(city_code as varchar) as city_tier_code,
        cast(city_rank as integer) as city_tier_rank,
        cast(city_zh as varchar) as city_tier_zh,
        cast(city_en as varchar) as city_tier_en,
        cast(contribution_12m as decimal(18, 2)) as contribution_12m,
        cast(region_customer_count as integer) as region_customer_count,
        cast(region_contribution_total as decimal(18, 2)) as region_contribution_total,
        cast(region_contribution_avg as decimal(18, 2)) as region_contribution_avg,
        cast(rule_version.rule_version as varchar) as rule_version,
        cast(case
            when region_code is null then unrated_reason_zh
            else '省份' || province || '属于' || region_zh || '地区'
                || coalesce('，' || city || '为' || city_zh, '')
                || '；' || region_zh || '地区客户 ' || {{ format_number('region_customer_count') }}
                || ' 名，近12个月贡献合计 ' || {{ format_number('region_contribution_total') }}
                || '，户均 ' || {{ format_number('region_contribution_avg') }}
        end as varchar) as reason_zh,
        cast(case
            when region_code is null then unrated_reason_en
            else 'Province ' || province || ' is in ' || region_en
                || coalesce('; city ' || city || ' is a ' || city_en, '')
                || '; ' || region_en || ' has ' || {{ format_number('region_customer_count') }}
                || ' customers contributing ' || {{ format_number('region_contribution_total') }}
                || ' in total over 12 months, ' || {{ format_number('region_contribution_avg') }}
                || ' on average'
        end as varchar) as reason_en,
        cast(null as decimal(18, 2)) as distance_to_next_tier
    from labelled
    cross join rule_version

)

select * from final
