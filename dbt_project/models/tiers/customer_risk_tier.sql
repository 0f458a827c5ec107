-- Insurer risk tier (客户风险度 高/中/低) per spine customer from the weighted risk
-- score (int_customer_risk_scored: personal, occupational and other risk), banded by
-- seed risk_tier_bands. Risk runs the other way round from the other tiers: a LOW
-- score is the best tier, so tier_rank 1 = LOW risk, 3 = HIGH risk, and
-- distance_to_next_tier is how many points the score must fall to reach the next
-- lower-risk band. UNRATED when no risk factor is known.
with

spine as (

    select customer_id, as_of_date from {{ ref('int_customers_filtered') }}

),

scored as (

    select * from {{ ref('int_customer_risk_scored') }}

),

unrated as (

    select * from {{ ref('tier_status_labels') }}
    where scheme = 'risk'

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('risk_tier_bands') }}

),

tiered as (

    select
        spine.customer_id,
        spine.as_of_date,
        scored.* exclude (customer_id),
        coalesce(band.tier_code, unrated.tier_code) as tier_code,
        coalesce(band.tier_rank, unrated.tier_rank) as tier_rank,
        coalesce(band.label_zh, unrated.label_zh) as tier_label_zh,
        coalesce(band.label_en, unrated.label_en) as tier_label_en,
        coalesce(
            {{ band_reason('zh', '风险得分', 'scored.risk_score', 'band') }}, unrated.reason_zh
        ) as reason_zh,
        coalesce(
            {{ band_reason('en', 'Risk score', 'scored.risk_score', 'band') }}, unrated.reason_en
        ) as reason_en,
        {{ band_distance('scored.risk_score', 'next_band') }} as distance_to_next_tier
    from spine
    inner join scored
        on spine.customer_id = scored.customer_id
    {{ band_join('risk_tier_bands', 'band', 'scored.risk_score') }}
    {{ next_band_join('risk_tier_bands', 'next_band', 'band') }}
    left join unrated
        on scored.risk_score is null

),

final as (

    select
        cast(tiered.customer_id as varchar) as customer_id,
        cast(tiered.as_of_date as date) as as_of_date,
        cast(tiered.tier_code as varchar) as tier_code,
        cast(tiered.tier_rank as integer) as tier_rank,
        cast(tiered.tier_label_zh as varchar) as tier_label_zh,
        cast(tiered.tier_label_en as varchar) as tier_label_en,
        cast(tiered.age_years as integer) as age_years,
        cast(tiered.premium_amount_12m as decimal(18, 2)) as premium_amount_12m,
        cast(tiered.claim_amount_12m as decimal(18, 2)) as claim_amount_12m,
        cast(tiered.claim_count_12m as integer) as claim_count_12m,
        cast(tiered.claims_ratio as decimal(18, 4)) as claims_ratio,
        cast(tiered.occupation_risk_class as integer) as occupation_risk_class,
        cast(tiered.overdue_count as integer) as overdue_count,
        cast(tiered.personal_risk_points as decimal(5, 2)) as personal_risk_points,
        cast(tiered.occupational_risk_points as decimal(5, 2)) as occupational_risk_points,
        cast(tiered.other_risk_points as decimal(5, 2)) as other_risk_points,
        cast(tiered.risk_score as decimal(5, 2)) as risk_score,
        cast(tiered.risk_factors_known as integer) as risk_factors_known,
        cast(tiered.risk_factors_used as varchar) as risk_factors_used,
        cast(rule_version.rule_version as varchar) as rule_version,
        cast(tiered.reason_zh as varchar) as reason_zh,
        cast(tiered.reason_en as varchar) as reason_en,
        cast(tiered.distance_to_next_tier as decimal(18, 2)) as distance_to_next_tier
    from tiered
    cross join rule_version

)

select * from final
