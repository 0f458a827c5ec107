-- Insurer contribution tier (客户贡献度) per spine customer: what the customer
-- brought in minus what they cost over the trailing 12 months,
--   contribution_12m = purchase + premium + service_fee + fee_business - claim - refund
-- (signs from seed transaction_type_roles), banded by seed contribution_tier_bands.
with

spine as (

    select customer_id, as_of_date from {{ ref('int_customers_filtered') }}

),

transactions as (

    select * from {{ ref('int_customer_transactions_aggregated') }}

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('contribution_tier_bands') }}

),

inputs as (

    select
        spine.customer_id,
        spine.as_of_date,
        transactions.premium_amount_12m as premium_income,
        transactions.service_fee_amount_12m + transactions.fee_business_amount_12m
            as service_income,
        transactions.purchase_amount_12m as purchase_amount,
        transactions.claim_amount_12m as claims_paid,
        transactions.refund_amount_12m as refunds,
        transactions.contribution_12m
    from spine
    inner join transactions
        on spine.customer_id = transactions.customer_id

),

tiered as (

    select
        inputs.*,
        band.tier_code,
        band.tier_rank,
        band.label_zh,
        band.label_en,
        {{ band_reason('zh', '近12个月贡献', 'inputs.contribution_12m', 'band') }} as reason_zh,
        {{ band_reason('en', 'Trailing 12-month contribution', 'inputs.contribution_12m', 'band') }}
            as reason_en,
        {{ band_distance('inputs.contribution_12m', 'next_band') }} as distance_to_next_tier
    from inputs
    {{ band_join('contribution_tier_bands', 'band', 'inputs.contribution_12m') }}
    {{ next_band_join('contribution_tier_bands', 'next_band', 'band') }}

),

final as (

    select
        cast(tiered.customer_id as varchar) as customer_id,
        cast(tiered.as_of_date as date) as as_of_date,
        cast(tiered.tier_code as varchar) as tier_code,
        cast(tiered.tier_rank as integer) as tier_rank,
        cast(tiered.label_zh as varchar) as tier_label_zh,
        cast(tiered.label_en as varchar) as tier_label_en,
        cast(tiered.premium_income as decimal(18, 2)) as premium_income,
        cast(tiered.service_income as decimal(18, 2)) as service_income,
        cast(tiered.purchase_amount as decimal(18, 2)) as purchase_amount,
        cast(tiered.claims_paid as decimal(18, 2)) as claims_paid,
        cast(tiered.refunds as decimal(18, 2)) as refunds,
        cast(tiered.contribution_12m as decimal(18, 2)) as contribution_12m,
        cast(rule_version.rule_version as varchar) as rule_version,
        cast(tiered.reason_zh as varchar) as reason_zh,
        cast(tiered.reason_en as varchar) as reason_en,
        cast(tiered.distance_to_next_tier as decimal(18, 2)) as distance_to_next_tier
    from tiered
    cross join rule_version

)

select * from final
