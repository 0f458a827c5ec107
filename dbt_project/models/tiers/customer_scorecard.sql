-- Foreign-trade client scorecard (外贸客户分级标准), nine dimensions per spine
-- customer, each scored 0-100 from the data where the data supports it:
--   value              contribution_12m                     seed factor_bands
--   creditworthiness   credit_score_points of customer_credit_rating (0-100; none
--                      without a credit report)
--   business_potential spend of the last 6 months / the 6 months before   factor_bands
--                      (no spend before = no baseline = no data)
--   relationship       tenure_years (complete years since onboarded_date) factor_bands
--   geography          points of the city tier of customer_region_tier (seed
--                      city_tier_levels.scorecard_points; none without a city)
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

weights as (

    select * from {{ ref('factor_weights') }}
    where scheme = 'scorecard'

),

inputs as (

    -- the city tier of the region tier (UNRATED without a city: no points then)
    select
        spine.customer_id,
        spine.as_of_date,
        transaction_totals.contribution_12m,
        credit.credit_score_points,
        transaction_totals.activity_amount_recent as spend_recent_6m,
        transaction_totals.activity_amount_previous as spend_previous_6m,
        cast(round(
            transaction_totals.activity_amount_recent
            / nullif(transaction_totals.activity_amount_previous, 0), 4
        ) as decimal(18, 4)) as spend_growth_ratio,
        profiles.tenure_years,
        city_level.tier_code as city_tier_code,
        city_level.scorecard_points as city_tier_points,
        transaction_totals.activity_count_12m as purchase_count_12m,
        profiles.industry,
        industry_scores.points as industry_points,
        product_lines.product_line_count_12m
    from {{ tier_spine() }} as spine
    inner join {{ ref('int_customer_profiles_enriched') }} as profiles
        on spine.customer_id = profiles.customer_id
    inner join {{ ref('int_customer_transactions_aggregated') }} as transaction_totals
        on spine.customer_id = transaction_totals.customer_id
    inner join {{ ref('int_customer_product_lines_aggregated') }} as product_lines
        on spine.customer_id = product_lines.customer_id
    left join {{ ref('customer_credit_rating') }} as credit
        on spine.customer_id = credit.customer_id
    left join {{ ref('customer_region_tier') }} as region
        on spine.customer_id = region.customer_id
    left join {{ ref('city_tier_levels') }} as city_level
        on region.city_tier_code = city_level.tier_code
    left join {{ ref('industry_scores') }} as industry_scores
        on profiles.industry = industry_scores.industry

),

banded_values as (

    -- the dimensions scored through seed factor_bands
    select
        customer_id,
        'value' as dimension,
        cast(contribution_12m as decimal(18, 4)) as v
    from inputs
    union all
    select
        customer_id,
        'business_potential' as dimension,
        spend_growth_ratio as v
    from inputs
    union all
    select
        customer_id,
        'relationship' as dimension,
        cast(tenure_years as decimal(18, 4)) as v
    from inputs
    union all
    select
        customer_id,
        'purchase_frequency' as dimension,
        cast(purchase_count_12m as decimal(18, 4)) as v
    from inputs
    union all
    select
        customer_id,
        'product_fit' as dimension,
        cast(product_line_count_12m as decimal(18, 4)) as v
    from inputs

),

dimension_scores as (

    select
        banded_values.customer_id,
        banded_values.dimension,
        band.points as score
    from banded_values
    inner join {{ ref('factor_bands') }} as band
        on band.scheme = 'scorecard'
            and banded_values.dimension = band.factor
            and {{ band_match('banded_values.v', 'band') }}
    union all
    select
        customer_id,
        'creditworthiness' as dimension,
        cast(credit_score_points as decimal(9, 4)) as score
    from inputs
    where credit_score_points is not null
    union all
    select
        customer_id,
        'geography' as dimension,
        city_tier_points as score
    from inputs
    where city_tier_points is not null
    union all
    select
        customer_id,
        'industry' as dimension,
        industry_points as score
    from inputs
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

features as (

    select
        inputs.*,
        totals.* exclude (customer_id)
    from inputs
    inner join totals
        on inputs.customer_id = totals.customer_id

),

{{ tier_model([{
    'scheme': 'scorecard_grade',
    'value': 'features.total_score',
    'reason_zh': band_reason('zh', '九维加权得分', 'features.total_score', 'scorecard_grade')
        ~ " || coalesce('（无数据维度：' || features.dimensions_missing || '）', '')",
    'reason_en': band_reason(
        'en', 'Weighted nine-dimension score', 'features.total_score', 'scorecard_grade'
    ) ~ " || coalesce(' (dimensions without data: ' || features.dimensions_missing || ')', '')",
}], features='features') }}
