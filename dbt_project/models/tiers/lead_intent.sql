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
with

spine as (

    select customer_id, as_of_date from {{ ref('int_customers_filtered') }}

),

intent as (

    select * from {{ ref('int_customer_call_intent_derived') }}

),

leads as (

    select * from {{ ref('int_customer_leads_assessed') }}

),

sources as (

    select
        coalesce(bool_or(case when source_name = 'interactions' then is_present end), false)
            as interactions_present,
        coalesce(bool_or(case when source_name = 'leads' then is_present end), false)
            as leads_present
    from {{ ref('stg_ingest__source_manifest') }}

),

unrated as (

    select * from {{ ref('tier_status_labels') }}

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('lead_intent_levels') }}

),

inputs as (

    select
        spine.customer_id,
        spine.as_of_date,
        case when sources.interactions_present then intent.intent_level end as intent_level,
        intent.call_count_12m,
        intent.connected_call_count_12m,
        intent.last_call_date,
        intent.deciding_call_date,
        intent.deciding_call_outcome,
        intent.invalid_number_confirmed,
        sources.leads_present and leads.customer_id is not null as has_lead,
        leads.captured_date as lead_captured_date,
        leads.lead_source,
        leads.is_same_type,
        leads.capital_amount,
        leads.has_local_relations,
        leads.main_product_is_ours,
        leads.prior_investment_amount,
        leads.recognition_score,
        case when sources.leads_present then leads.quality_score end as lead_quality_score,
        coalesce(leads.quality_factors_known, 0) as lead_quality_factors_known
    from spine
    cross join sources
    inner join intent
        on spine.customer_id = intent.customer_id
    left join leads
        on spine.customer_id = leads.customer_id

),

tiered as (

    select
        inputs.*,
        coalesce(levels.tier_code, intent_unrated.tier_code) as tier_code,
        coalesce(levels.tier_rank, intent_unrated.tier_rank) as tier_rank,
        coalesce(levels.label_zh, intent_unrated.label_zh) as tier_label_zh,
        coalesce(levels.label_en, intent_unrated.label_en) as tier_label_en,
        case
            when levels.tier_code is null then intent_unrated.reason_zh
            when inputs.invalid_number_confirmed
                then '号码无效，' || strftime(inputs.deciding_call_date, '%Y-%m-%d')
                    || ' 再次拨打仍未接通（' || deciding.label_zh || '）→ ' || levels.label_zh
            when deciding.is_connected
                then '最近一次接通的外呼（' || strftime(inputs.deciding_call_date, '%Y-%m-%d')
                    || '）：' || deciding.label_zh || ' → ' || levels.label_zh
            else '最近一次外呼（' || strftime(inputs.deciding_call_date, '%Y-%m-%d')
                || '）未接通：' || deciding.label_zh || '，需再次拨打 → ' || levels.label_zh
        end as reason_zh,
        case
            when levels.tier_code is null then intent_unrated.reason_en
            when inputs.invalid_number_confirmed
                then 'Invalid number, and the call again on '
                    || strftime(inputs.deciding_call_date, '%Y-%m-%d')
                    || ' did not get through (' || deciding.label_en || ') -> ' || levels.label_en
            when deciding.is_connected
                then 'Latest connected call (' || strftime(inputs.deciding_call_date, '%Y-%m-%d')
                    || '): ' || deciding.label_en || ' -> ' || levels.label_en
            else 'Latest call (' || strftime(inputs.deciding_call_date, '%Y-%m-%d')
                || ') not connected: ' || deciding.label_en || ', call again -> '
                || levels.label_en
        end as reason_en,
        quality_band.tier_code as quality_band_code,
        coalesce(grades.tier_code, quality_unrated.tier_code) as lead_quality_code,
        coalesce(grades.tier_rank, quality_unrated.tier_rank) as lead_quality_rank,
        coalesce(grades.label_zh, quality_unrated.label_zh) as lead_quality_zh,
        coalesce(grades.label_en, quality_unrated.label_en) as lead_quality_en,
        coalesce(
            (case when inputs.is_same_type then '同类型' else '外行' end) || '；'
            || {{ band_reason('zh', '线索质量得分', 'inputs.lead_quality_score', 'quality_band') }}
            || ' → ' || grades.tier_code || ' ' || grades.label_zh,
            quality_unrated.reason_zh
        ) as lead_quality_reason_zh,
        coalesce(
            (case when inputs.is_same_type then 'Same type' else 'Outsider' end) || '; '
            || {{ band_reason('en', 'Lead quality score', 'inputs.lead_quality_score',
                              'quality_band') }}
            || ' -> ' || grades.tier_code || ' ' || grades.label_en,
            quality_unrated.reason_en
        ) as lead_quality_reason_en,
        {{ band_distance('inputs.lead_quality_score', 'next_quality') }}
            as lead_quality_distance_to_next_band
    from inputs
    left join {{ ref('lead_intent_levels') }} as levels
        on inputs.intent_level = levels.intent_level
    left join {{ ref('call_outcomes') }} as deciding
        on inputs.deciding_call_outcome = deciding.call_outcome
    left join unrated as intent_unrated
        on inputs.intent_level is null
        and intent_unrated.scheme = 'lead_intent'
    {{ band_join(
        'lead_quality_bands', 'quality_band', 'inputs.lead_quality_score',
        condition='inputs.has_lead'
    ) }}
    {{ next_band_join('lead_quality_bands', 'next_quality', 'quality_band') }}
    left join {{ ref('lead_quality_grades') }} as grades
        on grades.quality_code = quality_band.tier_code
        and grades.is_same_type = coalesce(inputs.is_same_type, false)
    left join unrated as quality_unrated
        on quality_band.tier_code is null
        and quality_unrated.scheme = 'lead_quality'

),

final as (

    select
        cast(customer_id as varchar) as customer_id,
        cast(as_of_date as date) as as_of_date,
        cast(tier_code as varchar) as tier_code,
        cast(tier_rank as integer) as tier_rank,
        cast(tier_label_zh as varchar) as tier_label_zh,
        cast(tier_label_en as varchar) as tier_label_en,
        cast(intent_level as integer) as intent_level,
        cast(call_count_12m as integer) as call_count_12m,
        cast(connected_call_count_12m as integer) as connected_call_count_12m,
        cast(last_call_date as date) as last_call_date,
        cast(deciding_call_date as date) as deciding_call_date,
        cast(deciding_call_outcome as varchar) as deciding_call_outcome,
        cast(invalid_number_confirmed as boolean) as invalid_number_confirmed,
        cast(lead_captured_date as date) as lead_captured_date,
        cast(lead_source as varchar) as lead_source,
        cast(is_same_type as boolean) as is_same_type,
        cast(capital_amount as decimal(18, 2)) as capital_amount,
        cast(has_local_relations as boolean) as has_local_relations,
        cast(main_product_is_ours as boolean) as main_product_is_ours,
        cast(prior_investment_amount as decimal(18, 2)) as prior_investment_amount,
        cast(recognition_score as integer) as recognition_score,
        cast(lead_quality_score as decimal(5, 2)) as lead_quality_score,
        cast(lead_quality_factors_known as integer) as lead_quality_factors_known,
        cast(quality_band_code as varchar) as lead_quality_band_code,
        cast(lead_quality_code as varchar) as lead_quality_code,
        cast(lead_quality_rank as integer) as lead_quality_rank,
        cast(lead_quality_zh as varchar) as lead_quality_zh,
        cast(lead_quality_en as varchar) as lead_quality_en,
        cast(lead_quality_reason_zh as varchar) as lead_quality_reason_zh,
        cast(lead_quality_reason_en as varchar) as lead_quality_reason_en,
        cast(lead_quality_distance_to_next_band as decimal(18, 2))
            as lead_quality_distance_to_next_band,
        cast(rule_version.rule_version as varchar) as rule_version,
        cast(reason_zh as varchar) as reason_zh,
        cast(reason_en as varchar) as reason_en,
        cast(null as decimal(18, 2)) as distance_to_next_tier
    from tiered
    cross join rule_version

)

select * from final
