-- Credit rating (授信客户分级) per spine customer from the latest credit report on
-- or before the as-of date (int_credit_reports_enriched), by the credit rule of the
-- customer's type (seed credit_rules, column credit_rule): 企事业单位 by the corporate
-- rule, individuals (个体经营者和个人客户, and a missing type) by the individual rule.
-- Individual rule:
--   credit status      : seed credit_status_bands on credit_score, capped by the
--                        credit record (seed credit_record_caps: overdue_count >= N
--                        or max_days_past_due >= D caps the status, the strictest
--                        matching cap wins; credit_status_capped_by names it)
--   repayment capacity : seed repayment_capacity_bands on debt_to_income; an unknown
--                        DTI (no monthly debt payment, no income) is NULL and falls in
--                        the band with matches_null (LOW), like any missing credit
--                        factor (no collateral = POOR); the reason says so
--   collateral         : seed collateral_bands on loan_to_value
--   credit_score_points = sum(weight * band score_points), seed credit_grade_weights
--   overall grade      : seed credit_grade_bands on credit_score_points, which also
--                        gives the recommended credit limit
--                        (least(annual_income * income_multiple, credit_limit_cap))
--                        and the loan rate (base_rate + rate_spread, a fraction p.a.)
-- Corporate rule (int_customer_corporate_credit_scored): the grade bands the
-- corporate credit points instead - industry, market position, financial strength
-- (registered capital, annual revenue) and years in business, weighted over the known
-- factors (seeds corporate_credit_factors, corporate_credit_bands, industry_scores,
-- market_positions) - in the same credit_grade_bands, so grade, limit and rate mean
-- the same for both rules; credit status, repayment capacity and collateral still
-- describe the report but do not enter a corporate grade. UNRATED when the known
-- factors carry less than credit_rules.min_known_weight (no corporate data at all),
-- with the reason of seed credit_rules.
-- Every band compares the exact value (ratios and points are not rounded first);
-- debt_to_income, loan_to_value and credit_score_points are rounded for display only.
-- UNRATED (未评级, seed tier_status_labels) when the customer has no report on or
-- before the as-of date or raw.source_manifest says credit_reports is absent.
-- A manual override of credit_grade (tier kit, customer_tier_overrides) pins the grade,
-- and the recommended credit limit and loan rate follow the grade that applies (the
-- pinned grade's seed row); credit_score_points stay the computed points. An override
-- of credit_status / repayment_capacity / collateral pins that dimension only.
{#- the grade's input: the dimensions' band points, weighted (tiers listed before it),
    exact; credit_score_points shows it rounded to 0.01 -#}
{%- set credit_points_exact -%}
    (
        features.credit_status_weight * credit_status.score_points
        + features.repayment_capacity_weight * repayment_capacity.score_points
        + features.collateral_weight * collateral.score_points
    )
{%- endset %}
{#- what the grade bands: the corporate credit points for the corporate rule -#}
{%- set grade_points_exact -%}
    (case
        when features.is_corporate_rule then features.corporate_credit_points_exact
        else {{ credit_points_exact }}
    end)
{%- endset %}
{%- set credit_score_points -%}
    case
        when credit_grade.tier_code is not null
            then cast(round(credit_grade__value, 2) as decimal(9, 2))
    end
{%- endset %}
{#- what the grade reason adds: the credit-record cap, an unknown debt-to-income -#}
{%- set record_note_zh -%}
    case when features.credit_status_capped_by is not null then
        '；信用记录：逾期 ' || coalesce(cast(features.overdue_count as string), '-')
        || ' 次，最长逾期 ' || coalesce(cast(features.max_days_past_due as string), '-')
        || ' 天（' || features.record_cap_label_zh || '），信用状况由'
        || features.score_status_zh || '降为' || credit_status.label_zh
    end
{%- endset %}
{%- set record_note_en -%}
    case when features.credit_status_capped_by is not null then
        '; credit record: ' || coalesce(cast(features.overdue_count as string), '-')
        || ' overdue payment(s), longest '
        || coalesce(cast(features.max_days_past_due as string), '-')
        || ' days past due (' || features.record_cap_label_en
        || '): credit status lowered from ' || features.score_status_en
        || ' to ' || credit_status.label_en
    end
{%- endset %}
{%- set dti_note_zh -%}
    case when features.debt_to_income is null then
        '；负债收入比未知（' || features.debt_to_income_missing_zh || '），还款能力按'
        || repayment_capacity.label_zh || '处理'
    end
{%- endset %}
{%- set dti_note_en -%}
    case when features.debt_to_income is null then
        '; debt-to-income unknown (' || features.debt_to_income_missing_en
        || '): repayment capacity treated as ' || repayment_capacity.label_en
    end
{%- endset %}
{#- the reason of a corporate grade: the points of the factor groups, the unknown
    factors; too little known: the reason of seed credit_rules (NULL without a report:
    the UNRATED reason of tier_status_labels) -#}
{%- set corporate_reason_zh -%}
    case
        when not features.is_rated then null
        when features.corporate_credit_points_exact is null then
            features.rule_unrated_reason_zh || '（已知因素权重 '
            || {{ format_number('features.corporate_known_weight') }} || '，评级至少需要 '
            || {{ format_number('features.corporate_min_known_weight') }} || '）'
        else
            {{ band_reason(
                'zh', '企业加权信用分', 'credit_grade__value', 'credit_grade',
                shown='credit_grade__shown'
            ) }}
            || '（' || features.rule_label_zh || '：' || features.corporate_group_points_zh || '）'
            || coalesce(
                '；缺少' || features.corporate_factors_missing_zh || '，权重按已知因素重新分配',
                ''
            )
    end
{%- endset %}
{%- set corporate_reason_en -%}
    case
        when not features.is_rated then null
        when features.corporate_credit_points_exact is null then
            features.rule_unrated_reason_en || ' (the known factors carry '
            || {{ format_number('features.corporate_known_weight') }}
            || ' of the weight, a rating needs '
            || {{ format_number('features.corporate_min_known_weight') }} || ')'
        else
            {{ band_reason(
                'en', 'Weighted corporate credit points',
                'credit_grade__value', 'credit_grade', 'fall', 'credit_grade__shown'
            ) }}
            || ' (' || features.rule_label_en || ': ' || features.corporate_group_points_en || ')'
            || coalesce(
                '; unknown: ' || features.corporate_factors_missing_en
                || ' - weights re-normalised over the known factors',
                ''
            )
    end
{%- endset %}
{#- the credit limit and loan rate of the grade that applies: a manual override's
    pinned grade (its seed row, tier kit alias credit_grade_pinned_band) sets them as
    a computed grade does -#}
{%- set recommended_credit_limit -%}
    case
        when credit_grade_pinned_band.tier_code is not null
            then least(
                coalesce(features.annual_income, 0) * credit_grade_pinned_band.income_multiple,
                credit_grade_pinned_band.credit_limit_cap
            )
        else least(
            coalesce(features.annual_income, 0) * credit_grade.income_multiple,
            credit_grade.credit_limit_cap
        )
    end
{%- endset %}
{%- set loan_rate -%}
    case
        when credit_grade_pinned_band.tier_code is not null
            then credit_grade_pinned_band.base_rate + credit_grade_pinned_band.rate_spread
        else credit_grade.base_rate + credit_grade.rate_spread
    end
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

status_caps as (

    -- the credit-record caps with the rank of the best status they allow
    select
        caps.cap_code,
        caps.min_overdue_count,
        caps.min_days_past_due,
        caps.label_zh,
        caps.label_en,
        bands.tier_rank as max_status_rank
    from {{ ref('credit_record_caps') }} as caps
    inner join {{ ref('credit_status_bands') }} as bands
        on caps.max_status_code = bands.tier_code

),

reports as (

    -- the latest report and the credit status its score alone would give
    select
        reports.*,
        score_status.tier_rank as score_status_rank,
        score_status.label_zh as score_status_zh,
        score_status.label_en as score_status_en
    from {{ ref('int_credit_reports_enriched') }} as reports
    {{ band_join('credit_status_bands', 'score_status', 'reports.credit_score') }}
    -- none when the run's credit_reports were absent (the customers are UNRATED); a
    -- filter here, not in the join below, keeps that join an equi-join
    where {{ source_present('credit_reports') }}

),

record_caps as (

    -- the strictest cap the report's credit record reaches (a missing figure none)
    select
        reports.customer_id,
        status_caps.cap_code,
        status_caps.max_status_rank,
        status_caps.label_zh,
        status_caps.label_en
    from reports
    inner join status_caps
        on reports.overdue_count >= status_caps.min_overdue_count
            or reports.max_days_past_due >= status_caps.min_days_past_due
    qualify row_number() over (
            partition by reports.customer_id
            order by status_caps.max_status_rank desc, status_caps.cap_code asc
        ) = 1

),

features as (

    -- report columns only for rated customers: a report of an absent source is ignored
    select
        spine.customer_id,
        spine.as_of_date,
        reports.customer_id is not null as is_rated,
        reports.report_date,
        reports.credit_score,
        reports.overdue_count,
        reports.max_days_past_due,
        reports.annual_income,
        reports.debt_to_income as debt_to_income_exact,
        cast(round(reports.debt_to_income, 4) as decimal(18, 4)) as debt_to_income,
        case
            when reports.annual_income is null or reports.annual_income = 0
                then '缺少年收入'
            when reports.monthly_debt_payment is null then '缺少月还款额'
        end as debt_to_income_missing_zh,
        case
            when reports.annual_income is null or reports.annual_income = 0 then 'no income'
            when reports.monthly_debt_payment is null then 'no monthly debt payment'
        end as debt_to_income_missing_en,
        reports.loan_to_value as loan_to_value_exact,
        cast(round(reports.loan_to_value, 4) as decimal(18, 4)) as loan_to_value,
        reports.score_status_rank,
        reports.score_status_zh,
        reports.score_status_en,
        -- the status is the worse of the score's band and the record's cap
        case
            when reports.score_status_rank is not null
                then greatest(
                        reports.score_status_rank,
                        coalesce(record_caps.max_status_rank, reports.score_status_rank)
                    )
        end as credit_status_rank,
        case
            when record_caps.max_status_rank > reports.score_status_rank
                then record_caps.cap_code
        end as credit_status_capped_by,
        record_caps.label_zh as record_cap_label_zh,
        record_caps.label_en as record_cap_label_en,
        -- the credit rule: corporate for the customers the corporate rule rates, else
        -- the default rule of seed credit_rules (individual)
        rules.credit_rule,
        rules.label_zh as rule_label_zh,
        rules.label_en as rule_label_en,
        rules.unrated_reason_zh as rule_unrated_reason_zh,
        rules.unrated_reason_en as rule_unrated_reason_en,
        corporate.customer_id is not null as is_corporate_rule,
        corporate.market_position,
        corporate.registered_capital,
        corporate.annual_revenue,
        corporate.years_in_business,
        corporate.industry_points,
        corporate.market_position_points,
        corporate.capital_strength_points,
        corporate.years_in_business_points,
        corporate.corporate_credit_points_exact,
        corporate.known_weight as corporate_known_weight,
        corporate.min_known_weight as corporate_min_known_weight,
        corporate.factors_missing as corporate_factors_missing,
        corporate.factors_missing_zh as corporate_factors_missing_zh,
        corporate.factors_missing_en as corporate_factors_missing_en,
        corporate.group_points_zh as corporate_group_points_zh,
        corporate.group_points_en as corporate_group_points_en,
        weights.*
    from {{ tier_spine() }} as spine
    cross join weights
    left join reports
        on spine.customer_id = reports.customer_id
    left join record_caps
        on reports.customer_id = record_caps.customer_id
    left join {{ ref('int_customer_corporate_credit_scored') }} as corporate
        on spine.customer_id = corporate.customer_id
    left join {{ ref('credit_rules') }} as default_rule
        on default_rule.is_default
    left join {{ ref('credit_rules') }} as rules
        on coalesce(corporate.credit_rule, default_rule.credit_rule) = rules.credit_rule

),

{{ tier_model([
    {'scheme': 'credit_status', 'on': 'credit_status.tier_rank = features.credit_status_rank',
     'when': 'features.is_rated'},
    {'scheme': 'repayment_capacity', 'value': 'features.debt_to_income_exact',
     'when': 'features.is_rated'},
    {'scheme': 'collateral', 'value': 'features.loan_to_value_exact',
     'when': 'features.is_rated'},
    {'scheme': 'credit_grade', 'value': grade_points_exact,
     'when': 'features.is_rated',
     'reason_zh': '(case when features.is_corporate_rule then ' ~ corporate_reason_zh
         ~ ' else ' ~ band_reason(
         'zh', '加权信用分', 'credit_grade__value', 'credit_grade', shown='credit_grade__shown')
         ~ ' || coalesce(' ~ record_note_zh ~ ", '')"
         ~ ' || coalesce(' ~ dti_note_zh ~ ", '') end)",
     'reason_en': '(case when features.is_corporate_rule then ' ~ corporate_reason_en
         ~ ' else ' ~ band_reason(
         'en', 'Weighted credit points', 'credit_grade__value', 'credit_grade', 'fall',
         'credit_grade__shown')
         ~ ' || coalesce(' ~ record_note_en ~ ", '')"
         ~ ' || coalesce(' ~ dti_note_en ~ ", '') end)",
     'columns': [
         credit_score_points ~ ' as credit_score_points',
         recommended_credit_limit ~ ' as recommended_credit_limit',
         loan_rate ~ ' as loan_rate',
     ]},
], features='features') }}
