-- Loyalty tier (客户忠诚度 高/中/低) per spine customer from the weighted loyalty
-- score (int_customer_loyalty_scored, bands in seed loyalty_tier_bands), with the
-- RFM scores and segment (int_customer_rfm_scored) beside it.
with

spine as (

    select customer_id, as_of_date from {{ ref('int_customers_filtered') }}

),

loyalty as (

    select * from {{ ref('int_customer_loyalty_scored') }}

),

rfm as (

    select * from {{ ref('int_customer_rfm_scored') }}

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('loyalty_tier_bands') }}

),

inputs as (

    select
        spine.customer_id,
        spine.as_of_date,
        loyalty.avg_satisfaction,
        loyalty.complaint_count,
        loyalty.unresolved_complaint_count,
        loyalty.referral_count,
        loyalty.purchase_count_12m,
        loyalty.repurchase_flag,
        loyalty.loyalty_score,
        rfm.recency_days,
        rfm.frequency_12m,
        rfm.monetary_12m,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        rfm.rfm_segment_code,
        rfm.rfm_segment_zh,
        rfm.rfm_segment_en
    from spine
    inner join loyalty
        on spine.customer_id = loyalty.customer_id
    inner join rfm
        on spine.customer_id = rfm.customer_id

),

tiered as (

    select
        inputs.*,
        band.tier_code,
        band.tier_rank,
        band.label_zh,
        band.label_en,
        {{ band_reason('zh', '忠诚度得分', 'inputs.loyalty_score', 'band') }} as reason_zh,
        {{ band_reason('en', 'Loyalty score', 'inputs.loyalty_score', 'band') }} as reason_en,
        {{ band_distance('inputs.loyalty_score', 'next_band') }} as distance_to_next_tier
    from inputs
    {{ band_join('loyalty_tier_bands', 'band', 'inputs.loyalty_score') }}
    {{ next_band_join('loyalty_tier_bands', 'next_band', 'band') }}

),

final as (

    select
        cast(tiered.customer_id as varchar) as customer_id,
        cast(tiered.as_of_date as date) as as_of_date,
        cast(tiered.tier_code as varchar) as tier_code,
        cast(tiered.tier_rank as integer) as tier_rank,
        cast(tiered.label_zh as varchar) as tier_label_zh,
        cast(tiered.label_en as varchar) as tier_label_en,
        cast(tiered.avg_satisfaction as decimal(5, 2)) as avg_satisfaction,
        cast(tiered.complaint_count as integer) as complaint_count,
        cast(tiered.unresolved_complaint_count as integer) as unresolved_complaint_count,
        cast(tiered.referral_count as integer) as referral_count,
        cast(tiered.purchase_count_12m as integer) as purchase_count_12m,
        cast(tiered.repurchase_flag as boolean) as repurchase_flag,
        cast(tiered.loyalty_score as decimal(5, 2)) as loyalty_score,
        cast(tiered.recency_days as integer) as recency_days,
        cast(tiered.frequency_12m as integer) as frequency_12m,
        cast(tiered.monetary_12m as decimal(18, 2)) as monetary_12m,
        cast(tiered.r_score as integer) as r_score,
        cast(tiered.f_score as integer) as f_score,
        cast(tiered.m_score as integer) as m_score,
        cast(tiered.rfm_segment_code as varchar) as rfm_segment_code,
        cast(tiered.rfm_segment_zh as varchar) as rfm_segment_zh,
        cast(tiered.rfm_segment_en as varchar) as rfm_segment_en,
        cast(rule_version.rule_version as varchar) as rule_version,
        cast(tiered.reason_zh as varchar) as reason_zh,
        cast(tiered.reason_en as varchar) as reason_en,
        cast(tiered.distance_to_next_tier as decimal(18, 2)) as distance_to_next_tier
    from tiered
    cross join rule_version

)

select * from final
