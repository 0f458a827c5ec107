{{ config(meta={'dagster': {'ref': {'name': 'customer_star_tier'}}}) }}
-- Every row of customer_star_tier agrees with the seed bands, checked without the
-- band_lookup macro: a rated row's star points lie in its star band and its assets
-- in its card band, with the band's rank and labels - unless the customer has no
-- balance row in the as-of month (has_account false): then, and only then, the card
-- tier is NO_ACCOUNT with the rank, labels and reason of seed card_account_statuses,
-- 0 assets and no distance; an UNRATED row only occurs
-- (and then for both tiers) when balances were not delivered. The star level bands
-- the exact star points (star_points is rounded for display: 49.995 shows 50.00 and
-- is quasi-star), so the check reads the exact ones. It checks the tiers as computed
-- (computed_*): a manual override may pin the published ones (their labels and
-- reasons are checked only when no override applies; the tier_table test checks that
-- an unpinned tier is the computed one).
with

star_tier as (

    select * from {{ ref('customer_star_tier') }}

),

balances_present as (

    select {{ source_present('balances') }} as is_present

),

exact_points as (

    select
        customer_id,
        star_points_exact,
        has_account
    from {{ ref('int_customer_star_points_calculated') }}

),

star_bands as (

    select * from {{ ref('star_level_bands') }}

),

card_bands as (

    select * from {{ ref('card_tier_bands') }}

),

account_statuses as (

    select * from {{ ref('card_account_statuses') }}

),

star_mismatch as (

    select
        star_tier.customer_id,
        'star level not in its seed band' as problem
    from star_tier
    cross join balances_present
    left join exact_points
        on star_tier.customer_id = exact_points.customer_id
    left join star_bands
        on star_tier.computed_tier_code = star_bands.tier_code
    where balances_present.is_present
        and (
            star_bands.tier_code is null
            or star_tier.star_points is null
            or exact_points.star_points_exact is null
            or star_tier.tier_code <> star_tier.star_level_code
            or star_tier.computed_tier_rank <> star_bands.tier_rank
            or (not star_tier.is_override and (
                star_tier.star_level_zh <> star_bands.label_zh
                or star_tier.star_level_en <> star_bands.label_en
            ))
            or (star_bands.lower_bound is not null and (
                exact_points.star_points_exact < star_bands.lower_bound
                or (
                    exact_points.star_points_exact = star_bands.lower_bound
                    and not star_bands.lower_inclusive
                )
            ))
            or (star_bands.upper_bound is not null and (
                exact_points.star_points_exact > star_bands.upper_bound
                or (
                    exact_points.star_points_exact = star_bands.upper_bound
                    and not star_bands.upper_inclusive
                )
            ))
        )

),

card_mismatch as (

    select
        star_tier.customer_id,
        'card tier not in its seed band' as problem
    from star_tier
    cross join balances_present
    inner join exact_points
        on star_tier.customer_id = exact_points.customer_id
    left join card_bands
        on star_tier.computed_card_tier_code = card_bands.tier_code
    where balances_present.is_present
        and exact_points.has_account
        and (
            card_bands.tier_code is null
            or star_tier.monthly_avg_daily_assets is null
            or star_tier.computed_card_tier_rank <> card_bands.tier_rank
            or (not star_tier.card_tier_is_override and (
                star_tier.card_tier_zh <> card_bands.label_zh
                or star_tier.card_tier_en <> card_bands.label_en
            ))
            or (card_bands.lower_bound is not null and (
                star_tier.monthly_avg_daily_assets < card_bands.lower_bound
                or (
                    star_tier.monthly_avg_daily_assets = card_bands.lower_bound
                    and not card_bands.lower_inclusive
                )
            ))
            or (card_bands.upper_bound is not null and (
                star_tier.monthly_avg_daily_assets > card_bands.upper_bound
                or (
                    star_tier.monthly_avg_daily_assets = card_bands.upper_bound
                    and not card_bands.upper_inclusive
                )
            ))
        )

),

no_account_mismatch as (

    -- no balance row in the as-of month: NO_ACCOUNT, never a band
    select
        star_tier.customer_id,
        'card tier of a customer without account is not NO_ACCOUNT' as problem
    from star_tier
    cross join balances_present
    inner join exact_points
        on star_tier.customer_id = exact_points.customer_id
    left join account_statuses
        on exact_points.has_account = account_statuses.has_account
    where balances_present.is_present
        and not exact_points.has_account
        and (
            account_statuses.tier_code is null
            or star_tier.computed_card_tier_code <> account_statuses.tier_code
            or star_tier.computed_card_tier_rank <> account_statuses.tier_rank
            or (not star_tier.card_tier_is_override and (
                star_tier.card_tier_zh <> account_statuses.label_zh
                or star_tier.card_tier_en <> account_statuses.label_en
                or star_tier.card_reason_zh <> account_statuses.reason_zh
                or star_tier.card_reason_en <> account_statuses.reason_en
            ))
            or star_tier.monthly_avg_daily_assets is distinct from 0
            or star_tier.card_distance_to_next_tier is not null
        )

),

unrated_mismatch as (

    select
        star_tier.customer_id,
        'UNRATED does not match the balances manifest' as problem
    from star_tier
    cross join balances_present
    where (not balances_present.is_present)
        <> (
            star_tier.computed_tier_code = 'UNRATED'
            and star_tier.computed_card_tier_code = 'UNRATED'
        )

)

select * from star_mismatch
union all
select * from card_mismatch
union all
select * from no_account_mismatch
union all
select * from unrated_mismatch
