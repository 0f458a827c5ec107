-- Effective star level and card tier (快升缓降, fast up / slow down) per spine
-- customer as of the as-of date: the as-of month's row of tier_hysteresis for each,
-- beside the tiers as computed (customer_star_tier). An upgrade applies at once; a
-- downgrade only after downgrade_after_months (seed tier_hysteresis_rules, default
-- 3) consecutive monthly ratings below the effective band, with status WATCH and
-- months_below counting meanwhile. tier_code is the effective star level.
-- distance_to_next_tier = star points still needed for the band above the
-- effective one; distance_to_keep_tier = star points still needed, during WATCH, to
-- be back in the effective band and stop the countdown (card_* likewise in assets).
-- The card tier NO_ACCOUNT (no account at all, seed card_account_statuses, ranked
-- after ORDINARY) is a rating like a band: it goes through the same fast up / slow
-- down (an effective ORDINARY or better is kept on WATCH for N - 1 months without an
-- account, then DOWNGRADED to NO_ACCOUNT; an account again upgrades at once). It has
-- no band: the effective NO_ACCOUNT takes the seed's code, rank and labels (tier
-- override) and the reasons name it by its label and reason, without a band text.
-- Manual overrides: the fold reads the computed monthly ratings, so an override of
-- star_level or card_tier (it pins customer_star_tier) never enters it and leaves no
-- trace once expired. An override of effective_star_level / effective_card_tier pins
-- the effective tier published here (the tier kit: tier_code etc. are the pinned tier,
-- computed_* the fold's) while the fold goes on underneath; status, months_below and
-- the previous effective tier describe the fold.
with

star as (

    select * from {{ ref('customer_star_tier') }}

),

current_month as (

    select * from {{ ref('tier_hysteresis') }}
    where rating_month = cast(date_trunc('month', {{ as_of_date() }}) as date)

),

features as (

    -- the month's fold rows, and the seed bands of the month's rating (raw_), the
    -- effective tier (eff_) and the effective tier before this rating (prev_)
    select
        star.customer_id,
        star.as_of_date,
        star.star_points,
        -- the month's ratings as computed: the fold reads them, not a manual override
        -- of star_level / card_tier (which pins customer_star_tier only)
        star.computed_tier_code as star_level_code,
        star.computed_tier_rank as star_level_rank,
        star.monthly_avg_daily_assets,
        star.computed_card_tier_code as card_tier_code,
        star.computed_card_tier_rank as card_tier_rank,
        star_h.effective_tier_code as effective_star_code,
        star_h.status as star_level_status,
        star_h.months_below,
        star_h.previous_effective_tier_code as previous_effective_star_level_code,
        star_h.downgrade_after_months,
        card_h.effective_tier_code as effective_card_code,
        card_h.status as card_tier_status,
        card_h.months_below as card_months_below,
        card_h.previous_effective_tier_code as previous_effective_card_tier_code,
        -- the figures as the reasons display them, once (select aliases the reasons read)
        {{ banded_shown('star.star_points') }} as star_points_shown,
        {{ banded_shown('star.monthly_avg_daily_assets') }} as assets_shown,
        {{ hysteresis_reason('zh', '星点值', 'star.star_points', 'star_h', 'raw_star',
                             'eff_star', 'prev_star', shown='star_points_shown') }}
            as star_hysteresis_reason_zh,
        {{ hysteresis_reason('en', 'Star points', 'star.star_points', 'star_h', 'raw_star',
                             'eff_star', 'prev_star', verb='fall', shown='star_points_shown') }}
            as star_hysteresis_reason_en,
        case when star_h.status = 'WATCH'
                then {{ band_distance('star.star_points', 'eff_star') }}
        end as distance_to_keep_tier,
        {{ hysteresis_reason('zh', '月日均金融资产', 'star.monthly_avg_daily_assets', 'card_h',
                             'raw_card', 'eff_card', 'prev_card', raw_forced='raw_card_forced',
                             eff_forced='eff_card_forced', prev_forced='prev_card_forced',
                             shown='assets_shown') }}
            as card_hysteresis_reason_zh,
        {{ hysteresis_reason('en', 'Monthly average daily financial assets',
                             'star.monthly_avg_daily_assets', 'card_h', 'raw_card', 'eff_card',
                             'prev_card', verb='fall', raw_forced='raw_card_forced',
                             eff_forced='eff_card_forced', prev_forced='prev_card_forced',
                             shown='assets_shown') }}
            as card_hysteresis_reason_en,
        -- an effective card tier without a band (NO_ACCOUNT): the seed's row
        eff_card_forced.tier_code as effective_card_forced_code,
        eff_card_forced.tier_rank as effective_card_forced_rank,
        eff_card_forced.label_zh as effective_card_forced_zh,
        eff_card_forced.label_en as effective_card_forced_en,
        case when card_h.status = 'WATCH'
                then {{ band_distance('star.monthly_avg_daily_assets', 'eff_card') }}
        end as card_distance_to_keep_tier
    from star
    left join current_month as star_h
        on star.customer_id = star_h.customer_id
            and star_h.scheme = 'star_level'
    left join current_month as card_h
        on star.customer_id = card_h.customer_id
            and card_h.scheme = 'card_tier'
    {%- for alias, seed, code in [
        ('raw_star', 'star_level_bands', 'star.computed_tier_code'),
        ('eff_star', 'star_level_bands', 'star_h.effective_tier_code'),
        ('prev_star', 'star_level_bands', 'star_h.previous_effective_tier_code'),
        ('raw_card', 'card_tier_bands', 'star.computed_card_tier_code'),
        ('eff_card', 'card_tier_bands', 'card_h.effective_tier_code'),
        ('prev_card', 'card_tier_bands', 'card_h.previous_effective_tier_code'),
        ('raw_card_forced', 'card_account_statuses', 'star.computed_card_tier_code'),
        ('eff_card_forced', 'card_account_statuses', 'card_h.effective_tier_code'),
        ('prev_card_forced', 'card_account_statuses', 'card_h.previous_effective_tier_code'),
    ] %}
    left join {{ ref(seed) }} as {{ alias }}
        on {{ code }} = {{ alias }}.tier_code
    {%- endfor %}

),

{{ tier_model([
    {'scheme': 'effective_star_level', 'match': 'features.effective_star_code',
     'value': 'features.star_points', 'also_as': 'effective_star_level',
     'reason_zh': 'features.star_hysteresis_reason_zh',
     'reason_en': 'features.star_hysteresis_reason_en'},
    {'scheme': 'effective_card_tier', 'match': 'features.effective_card_code',
     'value': 'features.monthly_avg_daily_assets',
     'reason_zh': 'features.card_hysteresis_reason_zh',
     'reason_en': 'features.card_hysteresis_reason_en',
     'override': {
         'code': 'features.effective_card_forced_code',
         'rank': 'features.effective_card_forced_rank',
         'label_zh': 'features.effective_card_forced_zh',
         'label_en': 'features.effective_card_forced_en',
         'reason_zh': 'features.card_hysteresis_reason_zh',
         'reason_en': 'features.card_hysteresis_reason_en',
     }},
], features='features') }}
