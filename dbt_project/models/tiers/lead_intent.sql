-- Lead intent (客户意向度分级) and lead quality (客户质量分级) per spine customer.
--   intent  : level 1-6 from the calls (int_customer_call_intent_derived: the latest
--             connected call decides; an invalid number confirmed by a second
--             unreached call is level 1; otherwise "call again" is level 2), codes and
--             labels from seed lead_intent_levels (INTENT_6 = rank 1 ... INTENT_1 =
--             rank 6). UNRATED without a call in the window or when interactions
--             were not delivered.
--   quality : the latest lead assessment (int_customer_leads_assessed): quality_score
--             banded HIGH 优质 / ORDINARY 普通 by seed lead_quality_bands, crossed with
--             same-type investor or outsider (is_same_type; unknown counts as outsider)
--             into A 同类型优质 / B 同类型普通 / C 外行优质 / D 外行普通 (seed
--             lead_quality_grades). UNRATED without an assessment, without any known
--             quality factor, or when leads were not delivered.
-- Intent levels are categories, so distance_to_next_tier is NULL.
{#- the call that decided the level, in the words of seed call_outcomes -#}
{%- set intent_reason_zh -%}
    case
        when features.invalid_number_confirmed
            then '号码无效，' || cast(features.deciding_call_date as string)
                || ' 再次拨打仍未接通（' || features.deciding_zh || '）→ ' || lead_intent.label_zh
        when features.deciding_is_connected
            then '最近一次接通的外呼（' || cast(features.deciding_call_date as string)
                || '）：' || features.deciding_zh || ' → ' || lead_intent.label_zh
        else '最近一次外呼（' || cast(features.deciding_call_date as string)
            || '）未接通：' || features.deciding_zh || '，需再次拨打 → ' || lead_intent.label_zh
    end
{%- endset %}
{%- set intent_reason_en -%}
    case
        when features.invalid_number_confirmed
            then 'Invalid number, and the call again on '
                || cast(features.deciding_call_date as string)
                || ' did not get through (' || features.deciding_en || ') -> '
                || lead_intent.label_en
        when features.deciding_is_connected
            then 'Latest connected call (' || cast(features.deciding_call_date as string)
                || '): ' || features.deciding_en || ' -> ' || lead_intent.label_en
        else 'Latest call (' || cast(features.deciding_call_date as string)
            || ') not connected: ' || features.deciding_en || ', call again -> '
            || lead_intent.label_en
    end
{%- endset %}
{#- same-type investor or outsider, the quality band, and the grade of both -#}
{%- set quality_reason_zh -%}
    (case when features.is_same_type then '同类型' else '外行' end) || '；'
    || features.quality_reason_zh || ' → ' || lead_quality.tier_code || ' '
    || lead_quality.label_zh
{%- endset %}
{%- set quality_reason_en -%}
    (case when features.is_same_type then 'Same type' else 'Outsider' end) || '; '
    || features.quality_reason_en || ' -> ' || lead_quality.tier_code || ' '
    || lead_quality.label_en
{%- endset %}
with

inputs as (

    select
        spine.customer_id,
        spine.as_of_date,
        case when spine.interactions_present then intent.intent_level end as intent_level,
        intent.call_count_12m,
        intent.connected_call_count_12m,
        intent.last_call_date,
        intent.deciding_call_date,
        intent.deciding_call_outcome,
        intent.invalid_number_confirmed,
        deciding.is_connected as deciding_is_connected,
        deciding.label_zh as deciding_zh,
        deciding.label_en as deciding_en,
        spine.leads_present and leads.customer_id is not null as has_lead,
        leads.captured_date as lead_captured_date,
        leads.lead_source,
        leads.is_same_type,
        leads.capital_amount,
        leads.has_local_relations,
        leads.main_product_is_ours,
        leads.prior_investment_amount,
        leads.recognition_score,
        case when spine.leads_present then leads.quality_score end as lead_quality_score,
        coalesce(leads.quality_factors_known, 0) as lead_quality_factors_known
    from {{ tier_spine(['interactions', 'leads']) }} as spine
    inner join {{ ref('int_customer_call_intent_derived') }} as intent
        on spine.customer_id = intent.customer_id
    left join {{ ref('int_customer_leads_assessed') }} as leads
        on spine.customer_id = leads.customer_id
    left join {{ ref('call_outcomes') }} as deciding
        on intent.deciding_call_outcome = deciding.call_outcome

),

features as (

    -- the quality band (seed lead_quality_bands) that the grade crosses with the type
    select
        inputs.*,
        quality_band.tier_code as lead_quality_band_code,
        {{ band_reason('zh', '线索质量得分', 'inputs.lead_quality_score', 'quality_band') }}
            as quality_reason_zh,
        {{ band_reason('en', 'Lead quality score', 'inputs.lead_quality_score',
                       'quality_band') }} as quality_reason_en,
        {{ band_distance('inputs.lead_quality_score', 'next_quality') }} as quality_distance
    from inputs
    {{ band_join(
        'lead_quality_bands', 'quality_band', 'inputs.lead_quality_score',
        condition='inputs.has_lead'
    ) }}
    {{ next_band_join('lead_quality_bands', 'next_quality', 'quality_band') }}

),

{{ tier_model([
    {'scheme': 'lead_intent', 'on': 'lead_intent.intent_level = features.intent_level',
     'reason_zh': intent_reason_zh, 'reason_en': intent_reason_en},
    {'scheme': 'lead_quality',
     'on': 'lead_quality.quality_code = features.lead_quality_band_code'
         ~ ' and lead_quality.is_same_type = coalesce(features.is_same_type, false)',
     'reason_zh': quality_reason_zh, 'reason_en': quality_reason_en,
     'distance': 'features.quality_distance'},
], features='features') }}
