-- Bank of Communications star level (星级, seed star_level_bands on star points)
-- and card tier (持卡类型, seed card_tier_bands on the as-of month's average daily
-- financial assets) per spine customer. When raw.source_manifest says no balances
-- file was delivered, both are UNRATED (未评级, seed tier_status_labels) and the
-- asset figures and star points are NULL: the assets are unknown, not zero.
with

spine as (

    select customer_id, as_of_date from {{ ref('int_customers_filtered') }}

),

points as (

    select * from {{ ref('int_customer_star_points_calculated') }}

),

balances_source as (

    select coalesce(bool_or(is_present), false) as balances_present
    from {{ ref('stg_ingest__source_manifest') }}
    where source_name = 'balances'

),

unrated as (

    select * from {{ ref('tier_status_labels') }}

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('star_level_bands') }}

),

inputs as (

    select
        spine.customer_id,
        spine.as_of_date,
        balances_source.balances_present,
        case when balances_source.balances_present then points.avg_assets_6m end
            as avg_assets_6m,
        points.card_spend_6m,
        points.fee_business_6m,
        case when balances_source.balances_present then points.star_points end
            as star_points,
        case when balances_source.balances_present then points.monthly_avg_daily_assets end
            as monthly_avg_daily_assets
    from spine
    inner join points
        on spine.customer_id = points.customer_id
    cross join balances_source

),

tiered as (

    select
        inputs.*,
        coalesce(star.tier_code, star_unrated.tier_code) as star_level_code,
        coalesce(star.tier_rank, star_unrated.tier_rank) as star_level_rank,
        coalesce(star.label_zh, star_unrated.label_zh) as star_level_zh,
        coalesce(star.label_en, star_unrated.label_en) as star_level_en,
        coalesce(card.tier_code, card_unrated.tier_code) as card_tier_code,
        coalesce(card.tier_rank, card_unrated.tier_rank) as card_tier_rank,
        coalesce(card.label_zh, card_unrated.label_zh) as card_tier_zh,
        coalesce(card.label_en, card_unrated.label_en) as card_tier_en,
        coalesce(
            {{ band_reason('zh', '星点值', 'inputs.star_points', 'star') }},
            star_unrated.reason_zh
        ) as reason_zh,
        coalesce(
            {{ band_reason('en', 'Star points', 'inputs.star_points', 'star', verb='fall') }},
            star_unrated.reason_en
        ) as reason_en,
        {{ band_distance('inputs.star_points', 'next_star') }} as distance_to_next_tier,
        coalesce(
            {{ band_reason('zh', '月日均金融资产', 'inputs.monthly_avg_daily_assets', 'card') }},
            card_unrated.reason_zh
        ) as card_reason_zh,
        coalesce(
            {{ band_reason('en', 'Monthly average daily financial assets',
                           'inputs.monthly_avg_daily_assets', 'card', verb='fall') }},
            card_unrated.reason_en
        ) as card_reason_en,
        {{ band_distance('inputs.monthly_avg_daily_assets', 'next_card') }}
            as card_distance_to_next_tier
    from inputs
    {{ band_join('star_level_bands', 'star', 'inputs.star_points') }}
    {{ band_join('card_tier_bands', 'card', 'inputs.monthly_avg_daily_assets') }}
    {{ next_band_join('star_level_bands', 'next_star', 'star') }}
    {{ next_band_join('card_tier_bands', 'next_card', 'card') }}
    left join unrated as star_unrated
        on not inputs.balances_present
        and star_unrated.scheme = 'star_level'
    left join unrated as card_unrated
        on not inputs.balances_present
        and card_unrated.scheme = 'card_tier'

),

final as (

    select
        cast(tiered.customer_id as varchar) as customer_id,
        cast(tiered.as_of_date as date) as as_of_date,
        cast(tiered.star_level_code as varchar) as tier_code,
        cast(tiered.star_level_rank as integer) as tier_rank,
        cast(tiered.star_level_zh as varchar) as tier_label_zh,
        cast(tiered.star_level_en as varchar) as tier_label_en,
        cast(tiered.avg_assets_6m as decimal(18, 2)) as avg_assets_6m,
        cast(tiered.card_spend_6m as decimal(18, 2)) as card_spend_6m,
        cast(tiered.fee_business_6m as decimal(18, 2)) as fee_business_6m,
        cast(tiered.star_points as decimal(18, 2)) as star_points,
        cast(tiered.star_level_code as varchar) as star_level_code,
        cast(tiered.star_level_zh as varchar) as star_level_zh,
        cast(tiered.star_level_en as varchar) as star_level_en,
        cast(tiered.monthly_avg_daily_assets as decimal(18, 2)) as monthly_avg_daily_assets,
        cast(tiered.card_tier_code as varchar) as card_tier_code,
        cast(tiered.card_tier_rank as integer) as card_tier_rank,
        cast(tiered.card_tier_zh as varchar) as card_tier_zh,
        cast(tiered.card_tier_en as varchar) as card_tier_en,
        cast(rule_version.rule_version as varchar) as rule_version,
        cast(tiered.reason_zh as varchar) as reason_zh,
        cast(tiered.reason_en as varchar) as reason_en,
        cast(tiered.distance_to_next_tier as decimal(18, 2)) as distance_to_next_tier,
        cast(tiered.card_reason_zh as varchar) as card_reason_zh,
        cast(tiered.card_reason_en as varchar) as card_reason_en,
        cast(tiered.card_distance_to_next_tier as decimal(18, 2)) as card_distance_to_next_tier
    from tiered
    cross join rule_version

)

select * from final
