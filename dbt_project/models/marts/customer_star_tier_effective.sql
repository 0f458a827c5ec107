-- Effective star level and card tier (快升缓降, fast up / slow down) per spine
-- customer as of the as-of date: the as-of month's row of tier_hysteresis for each,
-- beside the tiers as computed (customer_star_tier). An upgrade applies at once; a
-- downgrade only after downgrade_after_months (seed tier_hysteresis_rules, default
-- 3) consecutive monthly ratings below the effective band, with status WATCH and
-- months_below counting meanwhile. tier_code is the effective star level.
-- distance_to_next_tier = star points still needed for the band above the
-- effective one; distance_to_keep_tier = star points still needed, during WATCH, to
-- be back in the effective band and stop the countdown (card_* likewise in assets).
with

spine as (

    select customer_id, as_of_date from {{ ref('int_customers_filtered') }}

),

star as (

    select * from {{ ref('customer_star_tier') }}

),

current_month as (

    select * from {{ ref('tier_hysteresis') }}
    where rating_month = cast(date_trunc('month', {{ as_of_date() }}) as date)

),

unrated as (

    select * from {{ ref('tier_status_labels') }}

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('tier_hysteresis_rules') }}

),

joined as (

    select
        spine.customer_id,
        spine.as_of_date,
        star.star_points,
        star.star_level_code,
        star.tier_rank as star_level_rank,
        star.monthly_avg_daily_assets,
        star.card_tier_code,
        star.card_tier_rank,
        star_h.effective_tier_code as effective_star_code,
        star_h.effective_tier_rank as effective_star_rank,
        star_h.effective_tier_label_zh as effective_star_zh,
        star_h.effective_tier_label_en as effective_star_en,
        star_h.status as star_status,
        star_h.months_below as star_months_below,
        star_h.previous_effective_tier_code as previous_star_code,
        star_h.downgrade_after_months as star_downgrade_after_months,
        card_h.effective_tier_code as effective_card_code,
        card_h.effective_tier_rank as effective_card_rank,
        card_h.effective_tier_label_zh as effective_card_zh,
        card_h.effective_tier_label_en as effective_card_en,
        card_h.status as card_status,
        card_h.months_below as card_months_below,
        card_h.previous_effective_tier_code as previous_card_code,
        {{ hysteresis_reason('zh', '星点值', 'star.star_points', 'star_h', 'raw_star', 'eff_star',
                             'prev_star') }} as star_reason_zh,
        {{ hysteresis_reason('en', 'Star points', 'star.star_points', 'star_h', 'raw_star',
                             'eff_star', 'prev_star', verb='fall') }} as star_reason_en,
        {{ band_distance('star.star_points', 'next_star') }} as star_distance,
        case when star_h.status = 'WATCH'
            then {{ band_distance('star.star_points', 'eff_star') }} end as star_keep_distance,
        {{ hysteresis_reason('zh', '月日均金融资产', 'star.monthly_avg_daily_assets', 'card_h',
                             'raw_card', 'eff_card', 'prev_card') }} as card_reason_zh,
        {{ hysteresis_reason('en', 'Monthly average daily financial assets',
                             'star.monthly_avg_daily_assets', 'card_h', 'raw_card', 'eff_card',
                             'prev_card', verb='fall') }} as card_reason_en,
        {{ band_distance('star.monthly_avg_daily_assets', 'next_card') }} as card_distance,
        case when card_h.status = 'WATCH'
            then {{ band_distance('star.monthly_avg_daily_assets', 'eff_card') }} end
            as card_keep_distance,
        star_unrated.reason_zh as star_unrated_reason_zh,
        star_unrated.reason_en as star_unrated_reason_en,
        card_unrated.reason_zh as card_unrated_reason_zh,
        card_unrated.reason_en as card_unrated_reason_en
    from spine
    inner join star
        on spine.customer_id = star.customer_id
    left join current_month as star_h
        on spine.customer_id = star_h.customer_id
        and star_h.scheme = 'star_level'
    left join current_month as card_h
        on spine.customer_id = card_h.customer_id
        and card_h.scheme = 'card_tier'
    left join {{ ref('star_level_bands') }} as raw_star
        on star.star_level_code = raw_star.tier_code
    left join {{ ref('star_level_bands') }} as eff_star
        on star_h.effective_tier_code = eff_star.tier_code
    left join {{ ref('star_level_bands') }} as prev_star
        on star_h.previous_effective_tier_code = prev_star.tier_code
    {{ next_band_join('star_level_bands', 'next_star', 'eff_star') }}
    left join {{ ref('card_tier_bands') }} as raw_card
        on star.card_tier_code = raw_card.tier_code
    left join {{ ref('card_tier_bands') }} as eff_card
        on card_h.effective_tier_code = eff_card.tier_code
    left join {{ ref('card_tier_bands') }} as prev_card
        on card_h.previous_effective_tier_code = prev_card.tier_code
    {{ next_band_join('card_tier_bands', 'next_card', 'eff_card') }}
    left join unrated as star_unrated
        on star_unrated.scheme = 'star_level_effective'
    left join unrated as card_unrated
        on card_unrated.scheme = 'card_tier_effective'

),

final as (

    select
        cast(customer_id as varchar) as customer_id,
        cast(as_of_date as date) as as_of_date,
        cast(effective_star_code as varchar) as tier_code,
        cast(effective_star_rank as integer) as tier_rank,
        cast(effective_star_zh as varchar) as tier_label_zh,
        cast(effective_star_en as varchar) as tier_label_en,
        cast(star_points as decimal(18, 2)) as star_points,
        cast(star_level_code as varchar) as star_level_code,
        cast(star_level_rank as integer) as star_level_rank,
        cast(effective_star_code as varchar) as effective_star_level_code,
        cast(effective_star_rank as integer) as effective_star_level_rank,
        cast(effective_star_zh as varchar) as effective_star_level_zh,
        cast(effective_star_en as varchar) as effective_star_level_en,
        cast(star_status as varchar) as star_level_status,
        cast(star_months_below as integer) as months_below,
        cast(previous_star_code as varchar) as previous_effective_star_level_code,
        cast(monthly_avg_daily_assets as decimal(18, 2)) as monthly_avg_daily_assets,
        cast(card_tier_code as varchar) as card_tier_code,
        cast(card_tier_rank as integer) as card_tier_rank,
        cast(effective_card_code as varchar) as effective_card_tier_code,
        cast(effective_card_rank as integer) as effective_card_tier_rank,
        cast(effective_card_zh as varchar) as effective_card_tier_zh,
        cast(effective_card_en as varchar) as effective_card_tier_en,
        cast(card_status as varchar) as card_tier_status,
        cast(card_months_below as integer) as card_months_below,
        cast(previous_card_code as varchar) as previous_effective_card_tier_code,
        cast(star_downgrade_after_months as integer) as downgrade_after_months,
        cast(rule_version.rule_version as varchar) as rule_version,
        cast(coalesce(star_reason_zh, star_unrated_reason_zh) as varchar) as reason_zh,
        cast(coalesce(star_reason_en, star_unrated_reason_en) as varchar) as reason_en,
        cast(star_distance as decimal(18, 2)) as distance_to_next_tier,
        cast(star_keep_distance as decimal(18, 2)) as distance_to_keep_tier,
        cast(coalesce(card_reason_zh, card_unrated_reason_zh) as varchar) as card_reason_zh,
        cast(coalesce(card_reason_en, card_unrated_reason_en) as varchar) as card_reason_en,
        cast(card_distance as decimal(18, 2)) as card_distance_to_next_tier,
        cast(card_keep_distance as decimal(18, 2)) as card_distance_to_keep_tier
    from joined
    cross join rule_version

)

select * from final
