-- Insurer education tier (客户教育程度 高/中/低) per spine customer from the
-- education score (int_customer_education_scored: degree, occupational background,
-- insurance-knowledge proxy), banded by seed education_tier_bands. The tier tells
-- which insurance knowledge and education service fits the customer. UNRATED
-- without a known education level (e.g. companies).
with

spine as (

    select customer_id, as_of_date from {{ ref('int_customers_filtered') }}

),

scored as (

    select * from {{ ref('int_customer_education_scored') }}

),

unrated as (

    select * from {{ ref('tier_status_labels') }}
    where scheme = 'education'

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('education_tier_bands') }}

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
            {{ band_reason('zh', '教育程度得分', 'scored.education_score', 'band') }},
            unrated.reason_zh
        ) as reason_zh,
        coalesce(
            {{ band_reason('en', 'Education score', 'scored.education_score', 'band') }},
            unrated.reason_en
        ) as reason_en,
        {{ band_distance('scored.education_score', 'next_band') }} as distance_to_next_tier
    from spine
    inner join scored
        on spine.customer_id = scored.customer_id
    {{ band_join('education_tier_bands', 'band', 'scored.education_score') }}
    {{ next_band_join('education_tier_bands', 'next_band', 'band') }}
    left join unrated
        on scored.education_score is null

),

final as (

    select
        cast(tiered.customer_id as varchar) as customer_id,
        cast(tiered.as_of_date as date) as as_of_date,
        cast(tiered.tier_code as varchar) as tier_code,
        cast(tiered.tier_rank as integer) as tier_rank,
        cast(tiered.tier_label_zh as varchar) as tier_label_zh,
        cast(tiered.tier_label_en as varchar) as tier_label_en,
        cast(tiered.education_level as varchar) as education_level,
        cast(tiered.education_level_code as varchar) as education_level_code,
        cast(tiered.education_points as decimal(9, 4)) as education_points,
        cast(tiered.occupation as varchar) as occupation,
        cast(tiered.occupation_group_code as varchar) as occupation_group_code,
        cast(tiered.occupation_group_zh as varchar) as occupation_group_zh,
        cast(tiered.occupation_group_en as varchar) as occupation_group_en,
        cast(tiered.occupation_points as decimal(9, 4)) as occupation_points,
        cast(tiered.insurance_line_count_12m as integer) as insurance_line_count_12m,
        cast(tiered.insurance_knowledge_points as decimal(9, 4)) as insurance_knowledge_points,
        cast(tiered.education_score as decimal(5, 2)) as education_score,
        cast(rule_version.rule_version as varchar) as rule_version,
        cast(tiered.reason_zh as varchar) as reason_zh,
        cast(tiered.reason_en as varchar) as reason_en,
        cast(tiered.distance_to_next_tier as decimal(18, 2)) as distance_to_next_tier
    from tiered
    cross join rule_version

)

select * from final
