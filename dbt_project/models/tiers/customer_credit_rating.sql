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
with

spine as (

    select customer_id, as_of_date from {{ ref('int_customers_filtered') }}

),

reports as (

    select * from {{ ref('int_credit_reports_enriched') }}

),

credit_source as (

    select coalesce(bool_or(is_present), false) as credit_reports_present
    from {{ ref('stg_ingest__source_manifest') }}
    where source_name = 'credit_reports'

),

weights as (

    select
        max(case when dimension = 'credit_status' then weight end) as credit_status_weight,
        max(case when dimension = 'repayment_capacity' then weight end)
            as repayment_capacity_weight,
        max(case when dimension = 'collateral' then weight end) as collateral_weight
    from {{ ref('credit_grade_weights') }}

),

unrated as (

    select * from {{ ref('tier_status_labels') }}

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('credit_grade_bands') }}

),

inputs as (

    -- report columns only for rated customers: a report of an absent source is ignored
    select
        spine.customer_id,
        spine.as_of_date,
        credit_source.credit_reports_present and reports.customer_id is not null as is_rated,
        reports.report_date,
        reports.credit_score,
        reports.annual_income,
        reports.debt_to_income,
        reports.loan_to_value
    from spine
    cross join credit_source
    left join reports
        on spine.customer_id = reports.customer_id
        and credit_source.credit_reports_present

),

dimensions as (

    select
        inputs.*,
        status.tier_code as credit_status_code,
        status.label_zh as credit_status_zh,
        status.label_en as credit_status_en,
        repayment.tier_code as repayment_capacity_code,
        repayment.label_zh as repayment_capacity_zh,
        repayment.label_en as repayment_capacity_en,
        collateral.tier_code as collateral_code,
        collateral.label_zh as collateral_zh,
        collateral.label_en as collateral_en,
        cast(round(
            weights.credit_status_weight * status.score_points
            + weights.repayment_capacity_weight * repayment.score_points
            + weights.collateral_weight * collateral.score_points,
            2
        ) as decimal(9, 2)) as credit_score_points
    from inputs
    cross join weights
    {{ band_join(
        'credit_status_bands', 'status', 'inputs.credit_score', condition='inputs.is_rated'
    ) }}
    {{ band_join(
        'repayment_capacity_bands', 'repayment', 'inputs.debt_to_income',
        condition='inputs.is_rated'
    ) }}
    {{ band_join(
        'collateral_bands', 'collateral', 'inputs.loan_to_value', condition='inputs.is_rated'
    ) }}

),

graded as (

    select
        dimensions.*,
        grade.tier_code as grade_code,
        grade.tier_rank as grade_rank,
        grade.label_zh as grade_zh,
        grade.label_en as grade_en,
        least(
            coalesce(dimensions.annual_income, 0) * grade.income_multiple,
            grade.credit_limit_cap
        ) as recommended_credit_limit,
        grade.base_rate + grade.rate_spread as loan_rate,
        {{ band_reason('zh', '加权信用分', 'dimensions.credit_score_points', 'grade') }}
            as grade_reason_zh,
        {{ band_reason('en', 'Weighted credit points', 'dimensions.credit_score_points', 'grade',
                       verb='fall') }} as grade_reason_en,
        {{ band_distance('dimensions.credit_score_points', 'next_grade') }}
            as distance_to_next_tier
    from dimensions
    {{ band_join(
        'credit_grade_bands', 'grade', 'dimensions.credit_score_points',
        condition='dimensions.is_rated'
    ) }}
    {{ next_band_join('credit_grade_bands', 'next_grade', 'grade') }}

),

labelled as (

    select
        graded.*,
        grade_unrated.tier_code as unrated_grade_code,
        grade_unrated.tier_rank as unrated_grade_rank,
        grade_unrated.label_zh as unrated_grade_zh,
        grade_unrated.label_en as unrated_grade_en,
        grade_unrated.reason_zh as unrated_reason_zh,
        grade_unrated.reason_en as unrated_reason_en,
        status_unrated.tier_code as unrated_status_code,
        status_unrated.label_zh as unrated_status_zh,
        status_unrated.label_en as unrated_status_en,
        repayment_unrated.tier_code as unrated_repayment_code,
        repayment_unrated.label_zh as unrated_repayment_zh,
        repayment_unrated.label_en as unrated_repayment_en,
        collateral_unrated.tier_code as unrated_collateral_code,
        collateral_unrated.label_zh as unrated_collateral_zh,
        collateral_unrated.label_en as unrated_collateral_en
    from graded
    left join unrated as grade_unrated
        on not graded.is_rated and grade_unrated.scheme = 'credit_grade'
    left join unrated as status_unrated
        on not graded.is_rated and status_unrated.scheme = 'credit_status'
    left join unrated as repayment_unrated
        on not graded.is_rated and repayment_unrated.scheme = 'repayment_capacity'
    left join unrated as collateral_unrated
        on not graded.is_rated and collateral_unrated.scheme = 'collateral'

),

final as (

    select
        cast(customer_id as varchar) as customer_id,
        cast(as_of_date as date) as as_of_date,
        cast(coalesce(grade_code, unrated_grade_code) as varchar) as tier_code,
        cast(coalesce(grade_rank, unrated_grade_rank) as integer) as tier_rank,
        cast(coalesce(grade_zh, unrated_grade_zh) as varchar) as tier_label_zh,
        cast(coalesce(grade_en, unrated_grade_en) as varchar) as tier_label_en,
        cast(credit_score as integer) as credit_score,
        cast(report_date as date) as report_date,
        cast(coalesce(credit_status_code, unrated_status_code) as varchar) as credit_status_code,
        cast(coalesce(credit_status_zh, unrated_status_zh) as varchar) as credit_status_zh,
        cast(coalesce(credit_status_en, unrated_status_en) as varchar) as credit_status_en,
        cast(debt_to_income as decimal(18, 4)) as debt_to_income,
        cast(coalesce(repayment_capacity_code, unrated_repayment_code) as varchar)
            as repayment_capacity_code,
        cast(coalesce(repayment_capacity_zh, unrated_repayment_zh) as varchar)
            as repayment_capacity_zh,
        cast(coalesce(repayment_capacity_en, unrated_repayment_en) as varchar)
            as repayment_capacity_en,
        cast(loan_to_value as decimal(18, 4)) as loan_to_value,
        cast(coalesce(collateral_code, unrated_collateral_code) as varchar) as collateral_code,
        cast(coalesce(collateral_zh, unrated_collateral_zh) as varchar) as collateral_zh,
        cast(coalesce(collateral_en, unrated_collateral_en) as varchar) as collateral_en,
        cast(credit_score_points as decimal(9, 2)) as credit_score_points,
        cast(recommended_credit_limit as decimal(18, 2)) as recommended_credit_limit,
        cast(loan_rate as decimal(9, 6)) as loan_rate,
        cast(rule_version.rule_version as varchar) as rule_version,
        cast(coalesce(grade_reason_zh, unrated_reason_zh) as varchar) as reason_zh,
        cast(coalesce(grade_reason_en, unrated_reason_en) as varchar) as reason_en,
        cast(distance_to_next_tier as decimal(18, 2)) as distance_to_next_tier
    from labelled
    cross join rule_version

)

select * from final
