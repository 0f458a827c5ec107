-- The corporate credit rule (授信管理制度: 企事业单位 by 所处行业、市场地位、资金实力),
-- one row per spine customer whose customer_type takes it (seed credit_rules):
--   industry           points of seed industry_scores (a missing or unmapped
--                      industry is unknown)
--   market_position    points of seed market_positions
--   registered_capital \ financial strength (资金实力): band points of seed
--   annual_revenue     / corporate_credit_bands
--   years_in_business  band points of seed corporate_credit_bands
-- corporate_credit_points = sum(weight x points) / sum(weight) over the KNOWN
-- factors (weights: seed corporate_credit_factors, sum 1), exact, rounded down (the
-- grade bands are [lower, upper)). An unknown factor is left out and the weights
-- re-normalised, never scored 0; but the known factors must carry at least
-- credit_rules.min_known_weight of the weight (0.5), else the points are NULL and the
-- customer is UNRATED (customer_credit_rating) - in particular a company with no
-- corporate data at all. Per factor group (industry, market position, financial
-- strength, years in business) the re-normalised points, for the rating's columns and
-- reason.
{#- a known group's name and points, as the reason lists them -#}
{%- set group_points_zh = "case when points is not null then group_zh || ' ' || "
    ~ format_number('points') ~ " end" %}
{%- set group_points_en = "case when points is not null then group_en || ' ' || "
    ~ format_number('points') ~ " end" %}

with

rules as (

    select
        credit_rule,
        customer_type,
        min_known_weight
    from {{ ref('credit_rules') }}
    where credit_rule = 'corporate'

),

corporates as (

    select
        spine.customer_id,
        rules.credit_rule,
        rules.min_known_weight,
        customers.industry,
        customers.market_position,
        customers.registered_capital,
        customers.annual_revenue,
        customers.years_in_business
    from {{ ref('int_customers_filtered') }} as spine
    inner join rules
        on spine.customer_type = rules.customer_type
    inner join {{ ref('stg_core__customers') }} as customers
        on spine.customer_id = customers.customer_id

),

banded_values as (

    -- the factors scored through the bands of seed corporate_credit_bands
    select
        customer_id,
        'registered_capital' as factor,
        cast(registered_capital as decimal(18, 4)) as factor_value
    from corporates
    union all
    select
        customer_id,
        'annual_revenue' as factor,
        cast(annual_revenue as decimal(18, 4)) as factor_value
    from corporates
    union all
    select
        customer_id,
        'years_in_business' as factor,
        cast(years_in_business as decimal(18, 4)) as factor_value
    from corporates

),

factor_points as (

    select
        banded_values.customer_id,
        banded_values.factor,
        band.points
    from banded_values
    inner join {{ ref('corporate_credit_bands') }} as band
        on banded_values.factor = band.factor
            and {{ band_match('banded_values.factor_value', 'band') }}
    union all
    select
        corporates.customer_id,
        'industry' as factor,
        industry_scores.points
    from corporates
    inner join {{ ref('industry_scores') }} as industry_scores
        on corporates.industry = industry_scores.industry
    union all
    select
        corporates.customer_id,
        'market_position' as factor,
        positions.points
    from corporates
    inner join {{ ref('market_positions') }} as positions
        on corporates.market_position = positions.market_position

),

all_factors as (

    -- every corporate customer x every weighted factor; points NULL = unknown
    select
        corporates.customer_id,
        factors.factor,
        factors.display_order,
        factors.factor_group,
        factors.group_zh,
        factors.group_en,
        factors.label_zh,
        factors.label_en,
        factors.weight,
        factor_points.points
    from corporates
    cross join {{ ref('corporate_credit_factors') }} as factors
    left join factor_points
        on corporates.customer_id = factor_points.customer_id
            and factors.factor = factor_points.factor

),

group_points as (

    -- per factor group the weighted mean of its known factors (NULL: none known)
    select
        customer_id,
        factor_group,
        min(display_order) as display_order,
        min(group_zh) as group_zh,
        min(group_en) as group_en,
        cast({{ decimal_ratio(
            'sum(case when points is not null then weight * points end)',
            'sum(case when points is not null then weight end)',
            input_scale=8,
        ) }} as decimal(9, 2)) as points
    from all_factors
    group by customer_id, factor_group

),

groups_pivoted as (

    select
        customer_id,
        max(case when factor_group = 'industry' then points end) as industry_points,
        max(case when factor_group = 'market_position' then points end)
            as market_position_points,
        max(case when factor_group = 'capital_strength' then points end)
            as capital_strength_points,
        max(case when factor_group = 'years_in_business' then points end)
            as years_in_business_points,
        -- the known groups' points for the reason: 行业 90，市场地位 80，资金实力 72.50
        {{ ordered_string_agg(group_points_zh, "'，'", 'display_order') }}
            as group_points_zh,
        {{ ordered_string_agg(group_points_en, "', '", 'display_order') }}
            as group_points_en
    from group_points
    group by customer_id

),

totals as (

    select
        customer_id,
        sum(case when points is not null then weight * points end) as weighted_points_sum,
        coalesce(sum(case when points is not null then weight end), 0) as known_weight,
        count(points) as factors_known,
        {{ ordered_string_agg('case when points is null then factor end', "','", 'display_order') }}
            as factors_missing,
        {{ ordered_string_agg(
            'case when points is null then label_zh end',
            "'、'",
            'display_order'
        ) }}
            as factors_missing_zh,
        {{ ordered_string_agg(
            'case when points is null then label_en end',
            "', '",
            'display_order'
        ) }}
            as factors_missing_en
    from all_factors
    group by customer_id

),

final as (

    select
        corporates.customer_id,
        corporates.credit_rule,
        corporates.industry,
        corporates.market_position,
        corporates.registered_capital,
        corporates.annual_revenue,
        corporates.years_in_business,
        groups_pivoted.industry_points,
        groups_pivoted.market_position_points,
        groups_pivoted.capital_strength_points,
        groups_pivoted.years_in_business_points,
        -- the re-normalised mean, exact (rounded down: the grade bands are
        -- [lower, upper)), only when the known factors carry enough of the weight
        case
            when totals.known_weight >= corporates.min_known_weight
                then {{ exact_quotient(
                    'totals.weighted_points_sum', 'totals.known_weight',
                    scale=18, input_scale=8, rounding='down'
                ) }}
        end as corporate_credit_points_exact,
        cast(totals.known_weight as decimal(9, 4)) as known_weight,
        corporates.min_known_weight,
        cast(totals.factors_known as integer) as factors_known,
        totals.factors_missing,
        totals.factors_missing_zh,
        totals.factors_missing_en,
        groups_pivoted.group_points_zh,
        groups_pivoted.group_points_en
    from corporates
    inner join totals
        on corporates.customer_id = totals.customer_id
    inner join groups_pivoted
        on corporates.customer_id = groups_pivoted.customer_id

)

select * from final
