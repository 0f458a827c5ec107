-- Every tier of this run in one long table: one row per spine customer and scheme
-- with the code, rank and labels the tier tables computed as of the as-of date
-- (before any fast-up / slow-down smoothing). The monthly rating history
-- (tier_monthly_ratings) stores it; the history marts read it for the current month.
{%- set schemes = [
    ('contribution', 'customer_contribution_tier', 'tier_code', 'tier_rank', 'tier_label_zh', 'tier_label_en'),
    ('loyalty', 'customer_loyalty_tier', 'tier_code', 'tier_rank', 'tier_label_zh', 'tier_label_en'),
    ('credit_grade', 'customer_credit_rating', 'tier_code', 'tier_rank', 'tier_label_zh', 'tier_label_en'),
    ('star_level', 'customer_star_tier', 'tier_code', 'tier_rank', 'tier_label_zh', 'tier_label_en'),
    ('card_tier', 'customer_star_tier', 'card_tier_code', 'card_tier_rank', 'card_tier_zh', 'card_tier_en'),
    ('risk', 'customer_risk_tier', 'tier_code', 'tier_rank', 'tier_label_zh', 'tier_label_en'),
    ('education', 'customer_education_tier', 'tier_code', 'tier_rank', 'tier_label_zh', 'tier_label_en'),
    ('region', 'customer_region_tier', 'tier_code', 'tier_rank', 'tier_label_zh', 'tier_label_en'),
    ('city_tier', 'customer_region_tier', 'city_tier_code', 'city_tier_rank', 'city_tier_zh', 'city_tier_en'),
    ('value', 'customer_value_tier', 'tier_code', 'tier_rank', 'tier_label_zh', 'tier_label_en'),
    ('purchase_frequency', 'customer_value_tier', 'purchase_frequency_code', 'purchase_frequency_rank', 'purchase_frequency_zh', 'purchase_frequency_en'),
    ('business_scope', 'customer_value_tier', 'business_scope_code', 'business_scope_rank', 'business_scope_zh', 'business_scope_en'),
    ('scorecard', 'customer_scorecard', 'tier_code', 'tier_rank', 'tier_label_zh', 'tier_label_en'),
    ('lead_intent', 'lead_intent', 'tier_code', 'tier_rank', 'tier_label_zh', 'tier_label_en'),
    ('lead_quality', 'lead_intent', 'lead_quality_code', 'lead_quality_rank', 'lead_quality_zh', 'lead_quality_en'),
    ('pipeline_stage', 'lead_pipeline_stage', 'tier_code', 'tier_rank', 'tier_label_zh', 'tier_label_en'),
] %}
with

unioned as (

    {% for scheme, model, code, rank, label_zh, label_en in schemes %}
    select
        customer_id,
        as_of_date,
        '{{ scheme }}' as scheme,
        {{ code }} as tier_code,
        {{ rank }} as tier_rank,
        {{ label_zh }} as tier_label_zh,
        {{ label_en }} as tier_label_en,
        rule_version
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        cast(customer_id as varchar) as customer_id,
        cast(date_trunc('month', as_of_date) as date) as rating_month,
        cast(scheme as varchar) as scheme,
        cast(tier_code as varchar) as tier_code,
        cast(tier_rank as integer) as tier_rank,
        cast(tier_label_zh as varchar) as tier_label_zh,
        cast(tier_label_en as varchar) as tier_label_en,
        cast(rule_version as varchar) as rule_version,
        cast(as_of_date as date) as rated_as_of_date
    from unioned

)

select * from final
