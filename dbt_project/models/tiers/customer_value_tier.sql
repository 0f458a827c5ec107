-- Grading standard V1 (客户分级管理制度标准版) per spine customer, three indicators:
--   purchasing power (购买力, tier_code): spend over the trailing 12 months = the RFM
--     activity amount (purchase, premium, card_spend, service_fee; seed
--     transaction_type_roles.is_rfm_activity), seed value_tier_bands:
--     VIP / SENIOR 高级 / GENERAL 一般 / LOW_END 低端;
--   loyalty by purchase frequency (忠诚度): those transactions counted, seed
--     purchase_frequency_bands: HIGH / GENERAL / LOW;
--   business scope (业务范围): distinct product lines used in the trailing 12 months
--     (int_customer_product_lines_aggregated), seed business_scope_bands:
--     BROAD 广泛 / SPECIALISED 专业性 / GENERAL 一般.
-- Transactions are mandatory, so every customer is rated.
with

spine as (

    select customer_id, as_of_date from {{ ref('int_customers_filtered') }}

),

transactions as (

    select * from {{ ref('int_customer_transactions_aggregated') }}

),

product_lines as (

    select * from {{ ref('int_customer_product_lines_aggregated') }}

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('value_tier_bands') }}

),

inputs as (

    select
        spine.customer_id,
        spine.as_of_date,
        transactions.activity_amount_12m as spend_12m,
        transactions.activity_count_12m as purchase_count_12m,
        product_lines.product_line_count_12m,
        product_lines.product_lines_12m
    from spine
    inner join transactions
        on spine.customer_id = transactions.customer_id
    inner join product_lines
        on spine.customer_id = product_lines.customer_id

),

tiered as (

    select
        inputs.*,
        value_band.tier_code,
        value_band.tier_rank,
        value_band.label_zh,
        value_band.label_en,
        {{ band_reason('zh', '近12个月消费金额', 'inputs.spend_12m', 'value_band') }} as reason_zh,
        {{ band_reason('en', 'Trailing 12-month spend', 'inputs.spend_12m', 'value_band') }}
            as reason_en,
        {{ band_distance('inputs.spend_12m', 'next_value') }} as distance_to_next_tier,
        frequency_band.tier_code as frequency_code,
        frequency_band.tier_rank as frequency_rank,
        frequency_band.label_zh as frequency_zh,
        frequency_band.label_en as frequency_en,
        {{ band_reason('zh', '近12个月购买次数', 'inputs.purchase_count_12m', 'frequency_band') }}
            as frequency_reason_zh,
        {{ band_reason('en', 'Purchases in the trailing 12 months', 'inputs.purchase_count_12m',
                       'frequency_band', verb='fall') }} as frequency_reason_en,
        {{ band_distance('inputs.purchase_count_12m', 'next_frequency') }}
            as frequency_distance_to_next_tier,
        scope_band.tier_code as scope_code,
        scope_band.tier_rank as scope_rank,
        scope_band.label_zh as scope_zh,
        scope_band.label_en as scope_en,
        {{ band_reason('zh', '近12个月使用产品线数', 'inputs.product_line_count_12m', 'scope_band') }}
            as scope_reason_zh,
        {{ band_reason('en', 'Product lines used in the trailing 12 months',
                       'inputs.product_line_count_12m', 'scope_band', verb='fall') }}
            as scope_reason_en,
        {{ band_distance('inputs.product_line_count_12m', 'next_scope') }}
            as scope_distance_to_next_tier
    from inputs
    {{ band_join('value_tier_bands', 'value_band', 'inputs.spend_12m') }}
    {{ next_band_join('value_tier_bands', 'next_value', 'value_band') }}
    {{ band_join('purchase_frequency_bands', 'frequency_band', 'inputs.purchase_count_12m') }}
    {{ next_band_join('purchase_frequency_bands', 'next_frequency', 'frequency_band') }}
    {{ band_join('business_scope_bands', 'scope_band', 'inputs.product_line_count_12m') }}
    {{ next_band_join('business_scope_bands', 'next_scope', 'scope_band') }}

),

final as (

    select
        cast(tiered.customer_id as varchar) as customer_id,
        cast(tiered.as_of_date as date) as as_of_date,
        cast(tiered.tier_code as varchar) as tier_code,
        cast(tiered.tier_rank as integer) as tier_rank,
        cast(tiered.label_zh as varchar) as tier_label_zh,
        cast(tiered.label_en as varchar) as tier_label_en,
        cast(tiered.spend_12m as decimal(18, 2)) as spend_12m,
        cast(tiered.purchase_count_12m as integer) as purchase_count_12m,
        cast(tiered.frequency_code as varchar) as purchase_frequency_code,
        cast(tiered.frequency_rank as integer) as purchase_frequency_rank,
        cast(tiered.frequency_zh as varchar) as purchase_frequency_zh,
        cast(tiered.frequency_en as varchar) as purchase_frequency_en,
        cast(tiered.product_line_count_12m as integer) as product_line_count_12m,
        cast(tiered.product_lines_12m as varchar) as product_lines_12m,
        cast(tiered.scope_code as varchar) as business_scope_code,
        cast(tiered.scope_rank as integer) as business_scope_rank,
        cast(tiered.scope_zh as varchar) as business_scope_zh,
        cast(tiered.scope_en as varchar) as business_scope_en,
        cast(rule_version.rule_version as varchar) as rule_version,
        cast(tiered.reason_zh as varchar) as reason_zh,
        cast(tiered.reason_en as varchar) as reason_en,
        cast(tiered.distance_to_next_tier as decimal(18, 2)) as distance_to_next_tier,
        cast(tiered.frequency_reason_zh as varchar) as purchase_frequency_reason_zh,
        cast(tiered.frequency_reason_en as varchar) as purchase_frequency_reason_en,
        cast(tiered.frequency_distance_to_next_tier as decimal(18, 2))
            as purchase_frequency_distance_to_next_tier,
        cast(tiered.scope_reason_zh as varchar) as business_scope_reason_zh,
        cast(tiered.scope_reason_en as varchar) as business_scope_reason_en,
        cast(tiered.scope_distance_to_next_tier as decimal(18, 2))
            as business_scope_distance_to_next_tier
    from tiered
    cross join rule_version

)

select * from final
