-- Foreign-trade client scorecard (外贸客户分级标准), nine dimensions per spine
-- customer, each scored 0-100 from the data where the data supports it:
--   value              contribution_12m                     seed factor_bands
--   creditworthiness   credit_score_points of customer_credit_rating (0-100; none
--                      without a credit report)
--   business_potential spend of the last 6 months / the 6 months before   factor_bands
--                      (no spend before = no baseline = no data)
--   relationship       tenure_years (complete years since onboarded_date) factor_bands
--   geography          city tier points (seed city_tier_levels.scorecard_points)
--   purchase_frequency RFM activity transactions in 12 months           factor_bands
--   industry           seed industry_scores (none for a missing or unmapped industry)
--   product_fit        distinct product lines used in 12 months         factor_bands
--   brand_influence    no landing source carries it: always no data
-- total_score = sum(weight x score) / sum(weight) over the dimensions WITH data
-- (weights in seed factor_weights, scheme scorecard), so a missing dimension is
-- re-normalised away, never scored as 0 and never invented; it is NULL in its
-- <dim>_score column and listed in dimensions_missing. Grade A-D on total_score
-- (seed scorecard_grade_bands); UNRATED when no dimension has data.
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

product_lines as (

    select * from {{ ref('int_customer_product_lines_aggregated') }}

),

credit as (

    select * from {{ ref('customer_credit_rating') }}

),

weights as (

    select * from {{ ref('factor_weights') }}
    where scheme = 'scorecard'

),

default_city_tier as (

    select * from {{ ref('city_tier_levels') }}
    where is_default

),

inputs as (

    select
        spine.customer_id,
        spine.as_of_date,
        transactions.contribution_12m,
        credit.credit_score_points,
        transactions.activity_amount_recent,
        transactions.activity_amount_previous,
        cast(round(
            transactions.activity_amount_recent
            / nullif(transactions.activity_amount_previous, 0), 4
        ) as decimal(18, 4)) as spend_growth_ratio,
        profiles.tenure_years,
        profiles.city,
        coalesce(city_level.tier_code, default_city_tier.tier_code) as city_tier_code,
        coalesce(city_level.scorecard_points, default_city_tier.scorecard_points)
            as city_tier_points,
        transactions.activity_count_12m as purchase_count_12m,
        profiles.industry,
        industry_scores.points as industry_points,
        product_lines.product_line_count_12m
    from spine
    inner join profiles
        on spine.customer_id = profiles.customer_id
    inner join transactions
        on spine.customer_id = transactions.customer_id
    inner join product_lines
        on spine.customer_id = product_lines.customer_id
    left join credit
        on spine.customer_id = credit.customer_id
    left join {{ ref('city_tiers') }} as cities
        on profiles.city = cities.city
    left join {{ ref('city_tier_levels') }} as city_level
        on cities.city_tier_code = city_level.tier_code
    left join default_city_tier
        on profiles.city is not null
    left join {{ ref('industry_scores') }} as industry_scores
        on profiles.industry = industry_scores.industry

),

banded_values as (

    -- the dimensions scored through seed factor_bands
    select customer_id, 'value' as dimension, cast(contribution_12m as decimal(18, 4)) as v
    from inputs
    union all
    select customer_id, 'business_potential', spend_growth_ratio from inputs
    union all
    select customer_id, 'relationship', cast(tenure_years as decimal(18, 4)) from inputs
    union all
    select customer_id, 'purchase_frequency', cast(purchase_count_12m as decimal(18, 4))
    from inputs
    union all
    select customer_id, 'product_fit', cast(product_line_count_12m as decimal(18, 4))
    from inputs

),

dimension_scores as (

    select banded_values.customer_id, banded_values.dimension, band.points as score
    from banded_values
    inner join {{ ref('factor_bands') }} as band
        on band.scheme = 'scorecard'
        and band.factor = banded_values.dimension
        and {{ band_match('banded_values.v', 'band') }}
    union all
    select customer_id, 'creditworthiness', cast(credit_score_points as decimal(9, 4))
    from inputs
    where credit_score_points is not null
    union all
    select customer_id, 'geography', city_tier_points from inputs
    where city_tier_points is not null
    union all
    select customer_id, 'industry', industry_points from inputs
    where industry_points is not null

),

all_dimensions as (

    -- every customer x every weighted dimension; score NULL = no data
    select
        inputs.customer_id,
        weights.factor as dimension,
        weights.weight,
        dimension_scores.score
    from inputs
    cross join weights
    left join dimension_scores
        on inputs.customer_id = dimension_scores.customer_id
        and weights.factor = dimension_scores.dimension

),

totals as (

    select
        customer_id,
        max(case when dimension = 'value' then score end) as value_score,
        max(case when dimension = 'creditworthiness' then score end) as creditworthiness_score,
        max(case when dimension = 'business_potential' then score end)
            as business_potential_score,
        max(case when dimension = 'relationship' then score end) as relationship_score,
        max(case when dimension = 'geography' then score end) as geography_score,
        max(case when dimension = 'purchase_frequency' then score end)
            as purchase_frequency_score,
        max(case when dimension = 'industry' then score end) as industry_score,
        max(case when dimension = 'product_fit' then score end) as product_fit_score,
        max(case when dimension = 'brand_influence' then score end) as brand_influence_score,
        cast(round(
            sum(case when score is not null then weight * score end)
            / sum(case when score is not null then weight end), 2
        ) as decimal(5, 2)) as total_score,
        sum(case when score is not null then weight end) as weight_coverage,
        count(score) as dimensions_scored,
        count(*) - count(score) as dimensions_missing_count,
        string_agg(case when score is null then dimension end, ',' order by dimension)
            as dimensions_missing
    from all_dimensions
    group by customer_id

),

unrated as (

    select * from {{ ref('tier_status_labels') }}
    where scheme = 'scorecard'

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('scorecard_grade_bands') }}

),

graded as (

    select
        inputs.*,
        totals.* exclude (customer_id),
        coalesce(grade.tier_code, unrated.tier_code) as tier_code,
        coalesce(grade.tier_rank, unrated.tier_rank) as tier_rank,
        coalesce(grade.label_zh, unrated.label_zh) as tier_label_zh,
        coalesce(grade.label_en, unrated.label_en) as tier_label_en,
        coalesce(
            {{ band_reason('zh', '九维加权得分', 'totals.total_score', 'grade') }}
            || coalesce('（无数据维度：' || totals.dimensions_missing || '）', ''),
            unrated.reason_zh
        ) as reason_zh,
        coalesce(
            {{ band_reason('en', 'Weighted nine-dimension score', 'totals.total_score', 'grade') }}
            || coalesce(' (dimensions without data: ' || totals.dimensions_missing || ')', ''),
            unrated.reason_en
        ) as reason_en,
        {{ band_distance('totals.total_score', 'next_grade') }} as distance_to_next_tier
    from inputs
    inner join totals
        on inputs.customer_id = totals.customer_id
    {{ band_join('scorecard_grade_bands', 'grade', 'totals.total_score') }}
    {{ next_band_join('scorecard_grade_bands', 'next_grade', 'grade') }}
    left join unrated
        on totals.total_score is null

),

final as (

    select
        cast(customer_id as varchar) as customer_id,
        cast(as_of_date as date) as as_of_date,
        cast(tier_code as varchar) as tier_code,
        cast(tier_rank as integer) as tier_rank,
        cast(tier_label_zh as varchar) as tier_label_zh,
        cast(tier_label_en as varchar) as tier_label_en,
        cast(contribution_12m as decimal(18, 2)) as contribution_12m,
        cast(value_score as decimal(5, 2)) as value_score,
        cast(credit_score_points as decimal(9, 2)) as credit_score_points,
        cast(creditworthiness_score as decimal(5, 2)) as creditworthiness_score,
        cast(activity_amount_recent as decimal(18, 2)) as spend_recent_6m,
        cast(activity_amount_previous as decimal(18, 2)) as spend_previous_6m,
        cast(spend_growth_ratio as decimal(18, 4)) as spend_growth_ratio,
        cast(business_potential_score as decimal(5, 2)) as business_potential_score,
        cast(tenure_years as integer) as tenure_years,
        cast(relationship_score as decimal(5, 2)) as relationship_score,
        cast(city_tier_code as varchar) as city_tier_code,
        cast(geography_score as decimal(5, 2)) as geography_score,
        cast(purchase_count_12m as integer) as purchase_count_12m,
        cast(purchase_frequency_score as decimal(5, 2)) as purchase_frequency_score,
        cast(industry as varchar) as industry,
        cast(industry_score as decimal(5, 2)) as industry_score,
        cast(product_line_count_12m as integer) as product_line_count_12m,
        cast(product_fit_score as decimal(5, 2)) as product_fit_score,
        cast(brand_influence_score as decimal(5, 2)) as brand_influence_score,
        cast(total_score as decimal(5, 2)) as total_score,
        cast(weight_coverage as decimal(9, 4)) as weight_coverage,
        cast(dimensions_scored as integer) as dimensions_scored,
        cast(dimensions_missing_count as integer) as dimensions_missing_count,
        cast(dimensions_missing as varchar) as dimensions_missing,
        cast(rule_version.rule_version as varchar) as rule_version,
        cast(reason_zh as varchar) as reason_zh,
        cast(reason_en as varchar) as reason_en,
        cast(distance_to_next_tier as decimal(18, 2)) as distance_to_next_tier
    from graded
    cross join rule_version

)

select * from final
