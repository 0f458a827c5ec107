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
-- <dim>_score column and listed in dimensions_missing. Grade A-D on the exact
-- total (seed scorecard_grade_bands; total_score is it rounded to 0.01 for display);
-- UNRATED when no dimension has data.
-- Bad credit is handled with caution (信用不良的客户应谨慎处理): seed
-- scorecard_caution_rules caps the grade of a customer whose credit grade or credit
-- status (customer_credit_rating) is listed there (defaults: credit grade D or
-- status POOR -> at best C), whatever the weighted score; caution_flag and
-- caution_reason_* say so, and the reason says when the cap lowered the grade.
-- The credit grade and status read are those customer_credit_rating publishes: a
-- manual override that pins them (a risk officer's D) caps the scorecard as a computed
-- one would; the creditworthiness points stay the computed credit points.
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
        credit.tier_code as credit_grade_code,
        credit.credit_status_code,
        transaction_totals.activity_amount_recent as spend_recent_6m,
        transaction_totals.activity_amount_previous as spend_previous_6m,
        -- exact (the potential bands compare it); spend_growth_ratio shows it rounded
        {{ exact_quotient(
            'transaction_totals.activity_amount_recent',
            'transaction_totals.activity_amount_previous',
            scale=18, rounding='down'
        ) }} as spend_growth_ratio_exact,
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
        spend_growth_ratio_exact as v
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
        sum(case when score is not null then weight * score end) as weighted_score_sum,
        sum(case when score is not null then weight end) as weight_coverage,
        count(score) as dimensions_scored,
        count(*) - count(score) as dimensions_missing_count,
        {{ ordered_string_agg('case when score is null then dimension end', "','", 'dimension') }}
            as dimensions_missing
    from all_dimensions
    group by customer_id

),

exact_totals as (

    -- the weighted mean as an exact decimal (rounded down: the grade bands are
    -- [lower, upper)), so 79.996 is not an A; total_score shows it rounded
    select
        totals.*,
        {{ exact_quotient(
            'totals.weighted_score_sum', 'totals.weight_coverage',
            scale=18, input_scale=8, rounding='down'
        ) }} as total_score_exact
    from totals

),

caution_rules as (

    -- the caution rules with the rank of the best grade they allow
    select
        rules.rule_code,
        rules.scheme,
        rules.tier_code,
        rules.reason_zh,
        rules.reason_en,
        grades.tier_rank as max_grade_rank
    from {{ ref('scorecard_caution_rules') }} as rules
    inner join {{ ref('scorecard_grade_bands') }} as grades
        on rules.max_grade_code = grades.tier_code

),

cautions as (

    -- the rules the customer's credit triggers: the strictest cap, every reason
    select
        inputs.customer_id,
        max(caution_rules.max_grade_rank) as caution_max_rank,
        {{ ordered_string_agg('caution_rules.reason_zh', "'；'", 'caution_rules.rule_code') }}
            as caution_reason_zh,
        {{ ordered_string_agg('caution_rules.reason_en', "'; '", 'caution_rules.rule_code') }}
            as caution_reason_en
    from inputs
    inner join caution_rules
        on (
            caution_rules.scheme = 'credit_grade'
            and inputs.credit_grade_code = caution_rules.tier_code
        )
        or (
            caution_rules.scheme = 'credit_status'
            and inputs.credit_status_code = caution_rules.tier_code
        )
    group by inputs.customer_id

),

features as (

    -- the grade of the score alone (score_band), the caution cap (cap_band) and the
    -- grade that applies: the worse of the two
    select
        inputs.*,
        cast(round(inputs.spend_growth_ratio_exact, 4) as decimal(18, 4)) as spend_growth_ratio,
        {{ star_except("exact_totals", ["customer_id"]) }},
        cast(round(exact_totals.total_score_exact, 2) as decimal(5, 2)) as total_score,
        cautions.customer_id is not null as caution_flag,
        cautions.caution_reason_zh,
        cautions.caution_reason_en,
        case
            when score_band.tier_rank is not null
                then greatest(
                        score_band.tier_rank,
                        coalesce(cautions.caution_max_rank, score_band.tier_rank)
                    )
        end as grade_rank,
        {{ band_reason(
            'zh', '九维加权得分', 'exact_totals.total_score_exact', 'score_band'
        ) }}
        || coalesce('（无数据维度：' || exact_totals.dimensions_missing || '）', '')
        || coalesce(
            '；' || cautions.caution_reason_zh || '：评分卡等级最高为' || cap_band.label_zh
            || case
                when cautions.caution_max_rank > score_band.tier_rank
                    then '，由' || score_band.label_zh || '降为' || cap_band.label_zh
                else ''
            end,
            ''
        ) as grade_reason_zh,
        {{ band_reason(
            'en', 'Weighted nine-dimension score', 'exact_totals.total_score_exact',
            'score_band'
        ) }}
        || coalesce(' (dimensions without data: ' || exact_totals.dimensions_missing || ')', '')
        || coalesce(
            '; ' || cautions.caution_reason_en || ': scorecard grade at most '
            || cap_band.label_en
            || case
                when cautions.caution_max_rank > score_band.tier_rank
                    then ', lowered from ' || score_band.label_en || ' to ' || cap_band.label_en
                else ''
            end,
            ''
        ) as grade_reason_en,
        -- no distance when the cap keeps the next better grade out of reach
        case
            when cautions.caution_max_rank >= score_band.tier_rank then null
            else {{ band_distance('exact_totals.total_score_exact', 'score_next') }}
        end as grade_distance_to_next_tier
    from inputs
    inner join exact_totals
        on inputs.customer_id = exact_totals.customer_id
    left join cautions
        on inputs.customer_id = cautions.customer_id
    {{ band_join('scorecard_grade_bands', 'score_band', 'exact_totals.total_score_exact') }}
    {{ next_band_join('scorecard_grade_bands', 'score_next', 'score_band') }}
    left join {{ ref('scorecard_grade_bands') }} as cap_band
        on cautions.caution_max_rank = cap_band.tier_rank

),

{{ tier_model([{
    'scheme': 'scorecard_grade',
    'on': 'scorecard_grade.tier_rank = features.grade_rank',
    'reason_zh': 'features.grade_reason_zh',
    'reason_en': 'features.grade_reason_en',
    'distance': 'features.grade_distance_to_next_tier',
}], features='features') }}
