-- Credit rating (授信客户分级) per spine customer from the latest credit report on
-- or before the as-of date (int_credit_reports_enriched):
--   credit status      : seed credit_status_bands on credit_score
--   repayment capacity : seed repayment_capacity_bands on debt_to_income
--   collateral         : seed collateral_bands on loan_to_value
--   credit_score_points = sum(weight * band score_points), seed credit_grade_weights
--   overall grade      : seed credit_grade_bands on credit_score_points, which also
--                        gives the recommended credit limit
--                        (least(annual_income * income_multiple, credit_limit_cap))
--                        and the loan rate (base_rate + rate_spread, a fraction p.a.)
-- UNRATED (未评级, seed tier_status_labels) when the customer has no report on or
-- before the as-of date or raw.source_manifest says credit_reports is absent.
{#- the grade's input: the dimensions' band points, weighted (tiers listed before it) -#}
{%- set credit_score_points -%}
    cast(round(
        features.credit_status_weight * credit_status.score_points
        + features.repayment_capacity_weight * repayment_capacity.score_points
        + features.collateral_weight * collateral.score_points,
        2
    ) as decimal(9, 2))
{%- endset %}
with

weights as (

    select
        max(case when dimension = 'credit_status' then weight end) as credit_status_weight,
        max(case when dimension = 'repayment_capacity' then weight end)
            as repayment_capacity_weight,
        max(case when dimension = 'collateral' then weight end) as collateral_weight
    from {{ ref('credit_grade_weights') }}

),

features as (

    -- report columns only for rated customers: a report of an absent source is ignored
    select
        spine.customer_id,
        spine.as_of_date,
        reports.customer_id is not null as is_rated,
        reports.report_date,
        reports.credit_score,
        reports.annual_income,
        reports.debt_to_income,
        reports.loan_to_value,
        weights.*
    from {{ tier_spine(['credit_reports']) }} as spine
    cross join weights
    left join {{ ref('int_credit_reports_enriched') }} as reports
        on spine.customer_id = reports.customer_id
            and spine.credit_reports_present

),

{{ tier_model([
    {'scheme': 'credit_status', 'value': 'features.credit_score',
     'when': 'features.is_rated'},
    {'scheme': 'repayment_capacity', 'value': 'features.debt_to_income',
     'when': 'features.is_rated'},
    {'scheme': 'collateral', 'value': 'features.loan_to_value',
     'when': 'features.is_rated'},
    {'scheme': 'credit_grade', 'value': credit_score_points,
     'when': 'features.is_rated',
     'measure_zh': '加权信用分', 'measure_en': 'Weighted credit points', 'verb': 'fall',
     'columns': [
         credit_score_points ~ ' as credit_score_points',
         'least(coalesce(features.annual_income, 0) * credit_grade.income_multiple,'
         ~ ' credit_grade.credit_limit_cap) as recommended_credit_limit',
         'credit_grade.base_rate + credit_grade.rate_spread as loan_rate',
     ]},
], rule_version_seed='credit_grade_bands', features='features') }}
