-- Bank of Communications star level (星级, seed star_level_bands on star points)
-- and card tier (持卡类型, seed card_tier_bands on the as-of month's average daily
-- financial assets) per spine customer. When raw.source_manifest says no balances
-- file was delivered, both are UNRATED (未评级, seed tier_status_labels) and the
-- asset figures and star points are NULL: the assets are unknown, not zero.
-- A customer without any balance row in the as-of month while balances were
-- delivered (int_customer_balances_aggregated.has_account false) holds no account,
-- not an ordinary card: the card tier is forced to NO_ACCOUNT 无账户 (seed
-- card_account_statuses: rank after the worst card band, before UNRATED; its reason;
-- no distance). A zero balance row is an account and bands as ORDINARY.
-- The star level bands the exact star points (star_points_exact, not published);
-- star_points is the figure rounded to 0.01 for display, so 49.995 points show as
-- 50.00 yet are quasi-star, and 0.004 points show as 0.00 yet are quasi-star, not
-- "zero points" (the reason then quotes the exact figure).
with

features as (

    select
        spine.customer_id,
        spine.as_of_date,
        spine.balances_present,
        case when spine.balances_present then points.avg_assets_6m end as avg_assets_6m,
        points.card_spend_6m,
        points.fee_business_6m,
        case when spine.balances_present then points.star_points end as star_points,
        case when spine.balances_present then points.star_points_exact end
            as star_points_exact,
        case when spine.balances_present then points.monthly_avg_daily_assets end
            as monthly_avg_daily_assets,
        -- the card tier the accounts force (NO_ACCOUNT), NULL when it is banded
        account_status.tier_code as card_override_code,
        account_status.tier_rank as card_override_rank,
        account_status.label_zh as card_override_zh,
        account_status.label_en as card_override_en,
        account_status.reason_zh as card_override_reason_zh,
        account_status.reason_en as card_override_reason_en
    from {{ tier_spine(['balances']) }} as spine
    inner join {{ ref('int_customer_star_points_calculated') }} as points
        on spine.customer_id = points.customer_id
    left join {{ ref('card_account_statuses') }} as account_status
        on spine.balances_present
            and points.has_account = account_status.has_account

),

{{ tier_model([
    {'scheme': 'star_level', 'value': 'features.star_points_exact',
     'when': 'features.balances_present', 'also_as': 'star_level',
     'measure_zh': '星点值', 'measure_en': 'Star points', 'verb': 'fall'},
    {'scheme': 'card_tier', 'value': 'features.monthly_avg_daily_assets',
     'when': 'features.balances_present',
     'measure_zh': '月日均金融资产',
     'measure_en': 'Monthly average daily financial assets', 'verb': 'fall',
     'override': {
         'code': 'features.card_override_code',
         'rank': 'features.card_override_rank',
         'label_zh': 'features.card_override_zh',
         'label_en': 'features.card_override_en',
         'reason_zh': 'features.card_override_reason_zh',
         'reason_en': 'features.card_override_reason_en',
     }},
], features='features') }}
