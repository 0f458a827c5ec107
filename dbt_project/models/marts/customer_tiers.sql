-- One wide row per spine customer per as-of date: the code and labels of every tier
-- of every tier table, the effective (fast up / slow down) star level and card tier
-- with their status, and the service measures of the customer's tiers (seed
-- service_measures: V1 purchasing power and purchase-frequency loyalty, insurer
-- contribution, loyalty, risk and education). A tier whose source was not delivered
-- reads UNRATED, never NULL. unrated_schemes lists the schemes that are UNRATED.
{%- set tiers = [
    ('contribution_tier', 'contribution', 'tier_code', 'tier_label_zh', 'tier_label_en'),
    ('loyalty_tier', 'loyalty', 'tier_code', 'tier_label_zh', 'tier_label_en'),
    ('credit_grade', 'credit', 'tier_code', 'tier_label_zh', 'tier_label_en'),
    ('credit_status', 'credit', 'credit_status_code', 'credit_status_zh', 'credit_status_en'),
    ('repayment_capacity', 'credit', 'repayment_capacity_code', 'repayment_capacity_zh', 'repayment_capacity_en'),
    ('collateral', 'credit', 'collateral_code', 'collateral_zh', 'collateral_en'),
    ('star_level', 'star', 'star_level_code', 'star_level_zh', 'star_level_en'),
    ('effective_star_level', 'effective', 'effective_star_level_code', 'effective_star_level_zh', 'effective_star_level_en'),
    ('card_tier', 'star', 'card_tier_code', 'card_tier_zh', 'card_tier_en'),
    ('effective_card_tier', 'effective', 'effective_card_tier_code', 'effective_card_tier_zh', 'effective_card_tier_en'),
    ('risk_tier', 'risk', 'tier_code', 'tier_label_zh', 'tier_label_en'),
    ('education_tier', 'education', 'tier_code', 'tier_label_zh', 'tier_label_en'),
    ('region_group', 'region', 'tier_code', 'tier_label_zh', 'tier_label_en'),
    ('city_tier', 'region', 'city_tier_code', 'city_tier_zh', 'city_tier_en'),
    ('value_tier', 'value', 'tier_code', 'tier_label_zh', 'tier_label_en'),
    ('purchase_frequency', 'value', 'purchase_frequency_code', 'purchase_frequency_zh', 'purchase_frequency_en'),
    ('business_scope', 'value', 'business_scope_code', 'business_scope_zh', 'business_scope_en'),
    ('scorecard_grade', 'scorecard', 'tier_code', 'tier_label_zh', 'tier_label_en'),
    ('lead_intent', 'intent', 'tier_code', 'tier_label_zh', 'tier_label_en'),
    ('lead_quality', 'intent', 'lead_quality_code', 'lead_quality_zh', 'lead_quality_en'),
    ('pipeline_stage', 'pipeline', 'tier_code', 'tier_label_zh', 'tier_label_en'),
] %}
with

spine as (

    select customer_id, as_of_date from {{ ref('int_customers_filtered') }}

),

measures as (

    select * from {{ ref('service_measures') }}

),

customer_measures as (

    -- the measures of every tier of the customer that has some, in display order
    select
        ratings.customer_id,
        string_agg(measures.measures_zh, '；' order by measures.display_order) as measures_zh,
        string_agg(measures.measures_en, '; ' order by measures.display_order) as measures_en
    from {{ ref('tier_ratings_current') }} as ratings
    inner join measures
        on ratings.scheme = measures.scheme
        and ratings.tier_code = measures.tier_code
    group by ratings.customer_id

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('service_measures') }}

),

joined as (

    select
        spine.customer_id,
        spine.as_of_date,
        {%- for name, alias, code, zh, en in tiers %}
        {{ alias }}.{{ code }} as {{ name }}_code,
        {{ alias }}.{{ zh }} as {{ name }}_zh,
        {{ alias }}.{{ en }} as {{ name }}_en,
        {%- endfor %}
        effective.star_level_status,
        effective.months_below as star_months_below,
        effective.card_tier_status,
        effective.card_months_below,
        value_measures.measures_zh as value_service_measures_zh,
        value_measures.measures_en as value_service_measures_en,
        frequency_measures.measures_zh as purchase_frequency_service_measures_zh,
        frequency_measures.measures_en as purchase_frequency_service_measures_en,
        customer_measures.measures_zh as service_measures_zh,
        customer_measures.measures_en as service_measures_en
    from spine
    inner join {{ ref('customer_contribution_tier') }} as contribution
        on spine.customer_id = contribution.customer_id
    inner join {{ ref('customer_loyalty_tier') }} as loyalty
        on spine.customer_id = loyalty.customer_id
    inner join {{ ref('customer_credit_rating') }} as credit
        on spine.customer_id = credit.customer_id
    inner join {{ ref('customer_star_tier') }} as star
        on spine.customer_id = star.customer_id
    inner join {{ ref('customer_star_tier_effective') }} as effective
        on spine.customer_id = effective.customer_id
    inner join {{ ref('customer_risk_tier') }} as risk
        on spine.customer_id = risk.customer_id
    inner join {{ ref('customer_education_tier') }} as education
        on spine.customer_id = education.customer_id
    inner join {{ ref('customer_region_tier') }} as region
        on spine.customer_id = region.customer_id
    inner join {{ ref('customer_value_tier') }} as value
        on spine.customer_id = value.customer_id
    inner join {{ ref('customer_scorecard') }} as scorecard
        on spine.customer_id = scorecard.customer_id
    inner join {{ ref('lead_intent') }} as intent
        on spine.customer_id = intent.customer_id
    inner join {{ ref('lead_pipeline_stage') }} as pipeline
        on spine.customer_id = pipeline.customer_id
    left join measures as value_measures
        on value_measures.scheme = 'value'
        and value.tier_code = value_measures.tier_code
    left join measures as frequency_measures
        on frequency_measures.scheme = 'purchase_frequency'
        and value.purchase_frequency_code = frequency_measures.tier_code
    left join customer_measures
        on spine.customer_id = customer_measures.customer_id

),

final as (

    select
        cast(joined.customer_id as varchar) as customer_id,
        cast(joined.as_of_date as date) as as_of_date,
        {%- for name, alias, code, zh, en in tiers %}
        cast(joined.{{ name }}_code as varchar) as {{ name }}_code,
        cast(joined.{{ name }}_zh as varchar) as {{ name }}_zh,
        cast(joined.{{ name }}_en as varchar) as {{ name }}_en,
        {%- if name == 'effective_star_level' %}
        cast(joined.star_level_status as varchar) as star_level_status,
        cast(joined.star_months_below as integer) as star_months_below,
        {%- elif name == 'effective_card_tier' %}
        cast(joined.card_tier_status as varchar) as card_tier_status,
        cast(joined.card_months_below as integer) as card_months_below,
        {%- endif %}
        {%- endfor %}
        cast(joined.value_service_measures_zh as varchar) as value_service_measures_zh,
        cast(joined.value_service_measures_en as varchar) as value_service_measures_en,
        cast(joined.purchase_frequency_service_measures_zh as varchar)
            as purchase_frequency_service_measures_zh,
        cast(joined.purchase_frequency_service_measures_en as varchar)
            as purchase_frequency_service_measures_en,
        cast(joined.service_measures_zh as varchar) as service_measures_zh,
        cast(joined.service_measures_en as varchar) as service_measures_en,
        cast(nullif(concat_ws(','
            {%- for name, alias, code, zh, en in tiers %},
            case when joined.{{ name }}_code = 'UNRATED' then '{{ name }}' end
            {%- endfor %}
        ), '') as varchar) as unrated_schemes,
        cast(rule_version.rule_version as varchar) as rule_version
    from joined
    cross join rule_version

)

select * from final
