-- Insurer risk score (客户风险度) 0-100 per spine customer, higher = riskier:
--   personal risk     : age band at the as-of date; claims ratio = claims paid /
--                       premiums over the trailing 12 months (NULL without premiums)
--   occupational risk : occupation_risk_class 1-6
--   other risk        : overdue_count of the latest credit report on or before as_of
-- Each factor's points come from its band in seed factor_bands (scheme risk), the
-- weights from seed factor_weights. A factor without data (no birth date, no
-- premiums, no occupation class, no credit report) is left out and the weights of
-- the known factors are re-normalised; no known factor at all = NULL (UNRATED).
with

spine as (

    select customer_id from {{ ref('int_customers_filtered') }}

),

profiles as (

    select * from {{ ref('int_customer_profiles_enriched') }}

),

transactions as (

    select * from {{ ref('int_customer_transactions_aggregated') }}

),

reports as (

    select * from {{ ref('int_credit_reports_enriched') }}

),

inputs as (

    select
        spine.customer_id,
        profiles.age_years,
        transactions.premium_amount_12m,
        transactions.claim_amount_12m,
        transactions.claim_count_12m,
        cast({{ decimal_ratio(
            'transactions.claim_amount_12m', 'transactions.premium_amount_12m',
            scale=4, input_scale=2
        ) }} as decimal(18, 4)) as claims_ratio,
        profiles.occupation_risk_class,
        reports.overdue_count
    from spine
    inner join profiles
        on spine.customer_id = profiles.customer_id
    inner join transactions
        on spine.customer_id = transactions.customer_id
    left join reports
        on spine.customer_id = reports.customer_id

),

factors as (

    select
        customer_id,
        'age' as factor,
        cast(age_years as decimal(18, 4)) as factor_value
    from inputs
    union all
    select
        customer_id,
        'claims_ratio' as factor,
        claims_ratio as factor_value
    from inputs
    union all
    select
        customer_id,
        'occupation_class' as factor,
        cast(occupation_risk_class as decimal(18, 4)) as factor_value
    from inputs
    union all
    select
        customer_id,
        'overdue_count' as factor,
        cast(overdue_count as decimal(18, 4)) as factor_value
    from inputs

),

factor_points as (

    select
        factors.customer_id,
        factors.factor,
        weights.factor_group,
        weights.weight,
        band.points,
        band.label_zh,
        band.label_en
    from factors
    inner join {{ ref('factor_bands') }} as band
        on band.scheme = 'risk'
            and factors.factor = band.factor
            and {{ band_match('factors.factor_value', 'band') }}
    inner join {{ ref('factor_weights') }} as weights
        on weights.scheme = 'risk'
            and factors.factor = weights.factor

),

scored as (

    select
        customer_id,
        -- exact decimal means (macro decimal_ratio), never a DOUBLE division
        cast(
            {{ decimal_ratio('sum(weight * points)', 'sum(weight)', input_scale=8) }}
            as decimal(5, 2)
        ) as risk_score,
        cast({{ decimal_ratio(
            "sum(case when factor_group = 'personal' then weight * points end)",
            "sum(case when factor_group = 'personal' then weight end)",
            input_scale=8,
        ) }} as decimal(5, 2)) as personal_risk_points,
        cast({{ decimal_ratio(
            "sum(case when factor_group = 'occupational' then weight * points end)",
            "sum(case when factor_group = 'occupational' then weight end)",
            input_scale=8,
        ) }} as decimal(5, 2)) as occupational_risk_points,
        cast({{ decimal_ratio(
            "sum(case when factor_group = 'other' then weight * points end)",
            "sum(case when factor_group = 'other' then weight end)",
            input_scale=8,
        ) }} as decimal(5, 2)) as other_risk_points,
        count(*) as risk_factors_known,
        {{ ordered_string_agg('factor', "','", 'factor') }} as risk_factors_used
    from factor_points
    group by customer_id

),

final as (

    select
        inputs.customer_id,
        inputs.age_years,
        inputs.premium_amount_12m,
        inputs.claim_amount_12m,
        inputs.claim_count_12m,
        inputs.claims_ratio,
        inputs.occupation_risk_class,
        inputs.overdue_count,
        scored.personal_risk_points,
        scored.occupational_risk_points,
        scored.other_risk_points,
        scored.risk_score,
        cast(coalesce(scored.risk_factors_known, 0) as integer) as risk_factors_known,
        scored.risk_factors_used
    from inputs
    left join scored
        on inputs.customer_id = scored.customer_id

)

select * from final
