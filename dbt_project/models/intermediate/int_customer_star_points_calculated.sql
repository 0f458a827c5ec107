-- Star points (星点值) per spine customer:
--   points = avg_assets_6m   / per_amount * points   (100 per 10,000 CNY)
--          + card_spend_6m   / per_amount * points   (200 per 10,000 CNY)
--          + fee_business_6m / per_amount * points   (200 per 10,000 CNY)
-- rates from seed star_point_rates. star_points_exact is the exact decimal sum, from
-- the exact six-month average assets (int_customer_balances_aggregated
-- .avg_assets_6m_exact), and the star level is the band of this exact value;
-- star_points is it rounded to 0.01 point, for display only (49.995 points show as
-- 50.00 but are quasi-star, 0.004 show as 0.00 but are not "zero points").
with

spine as (

    select customer_id from {{ ref('int_customers_filtered') }}

),

transactions as (

    select * from {{ ref('int_customer_transactions_aggregated') }}

),

balances as (

    select * from {{ ref('int_customer_balances_aggregated') }}

),

rate_rows as (

    -- points per CNY as an exact decimal (DuckDB divides decimals in double; macro
    -- exact_quotient divides HUGEINTs), so the products below are exact and round()
    -- rounds a true .xx5 half up
    select
        component,
        {{ exact_quotient(
            'points', 'per_amount', scale=10, input_scale=4, rounding='down'
        ) }} as points_per_cny
    from {{ ref('star_point_rates') }}

),

rates as (

    select
        max(case when component = 'avg_assets_6m' then points_per_cny end)
            as points_per_cny_assets,
        max(case when component = 'card_spend_6m' then points_per_cny end)
            as points_per_cny_card_spend,
        max(case when component = 'fee_business_6m' then points_per_cny end)
            as points_per_cny_fee_business
    from rate_rows

),

calculated as (

    select
        spine.customer_id,
        balances.avg_assets_6m,
        balances.monthly_avg_daily_assets,
        balances.has_account,
        transactions.card_spend_6m,
        transactions.fee_business_6m,
        cast(balances.avg_assets_6m_exact as decimal(38, 10)) * rates.points_per_cny_assets
        + cast(transactions.card_spend_6m as decimal(38, 2))
        * rates.points_per_cny_card_spend
        + cast(transactions.fee_business_6m as decimal(38, 2))
        * rates.points_per_cny_fee_business as star_points_exact
    from spine
    inner join balances
        on spine.customer_id = balances.customer_id
    inner join transactions
        on spine.customer_id = transactions.customer_id
    cross join rates

),

rounded as (

    -- the displayed figure; the band reads star_points_exact
    select
        *,
        cast(round(star_points_exact, 2) as decimal(18, 2)) as star_points
    from calculated

)

select * from rounded
