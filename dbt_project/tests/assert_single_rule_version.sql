{{ config(meta={'dagster': {'ref': {'name': 'rule_parameters'}}}) }}
-- All rule seeds carry the same rule_version, so the rule_version of a tier table
-- names the complete rule set it was computed with.
{% set rule_seeds = [
    'star_level_bands', 'card_tier_bands', 'contribution_tier_bands',
    'loyalty_tier_bands', 'credit_status_bands', 'repayment_capacity_bands',
    'collateral_bands', 'credit_grade_bands', 'credit_grade_weights',
    'star_point_rates', 'loyalty_score_weights', 'rfm_segments', 'rule_parameters',
    'transaction_type_roles', 'tier_status_labels',
    'risk_tier_bands', 'education_tier_bands', 'value_tier_bands', 'purchase_frequency_bands',
    'business_scope_bands', 'scorecard_grade_bands', 'lead_quality_bands',
    'pipeline_stage_bands', 'factor_bands', 'factor_weights', 'education_levels',
    'occupation_groups', 'product_lines', 'industry_scores', 'region_groups',
    'province_regions', 'city_tier_levels', 'city_tiers', 'call_outcomes',
    'lead_intent_levels', 'lead_quality_grades', 'lead_need_statuses', 'service_measures',
    'tier_hysteresis_rules',
] %}

with

versions as (

    {% for seed in rule_seeds %}
    select
        '{{ seed }}' as seed_name,
        rule_version
    from {{ ref(seed) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

version_count as (

    select count(distinct rule_version) as distinct_versions from versions

)

select
    versions.seed_name,
    versions.rule_version
from versions
cross join version_count
where version_count.distinct_versions > 1
    or versions.rule_version is null
