-- Star points (星点值) per spine customer:
--   points = avg_assets_6m   / per_amount * points   (100 per 10,000 CNY)
--          + card_spend_6m   / per_amount * points   (200 per 10,000 CNY)
--          + fee_business_6m / per_amount * points   (200 per 10,000 CNY)
-- rates from seed star_point_rates, rounded to 0.01 point; the star level is the
-- band of this rounded value.
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

rates as (

    -- points per CNY as an exact decimal (DuckDB divides decimals in double), so
    -- the products below are exact and round() rounds a true .xx5 half up
    select
        max(case when component = 'avg_assets_6m'
                then cast(points / per_amount as decimal(38, 10))
        end) as points_per_cny_assets,
        max(case when component = 'card_spend_6m'
                then cast(points / per_amount as decimal(38, 10))
        end) as points_per_cny_card_spend,
        max(case when component = 'fee_business_6m'
                then cast(points / per_amount as decimal(38, 10))
        end) as points_per_cny_fee_business
    from {{ ref('star_point_rates') }}

),

calculated as (

    select
        spine.customer_id,
        balances.avg_assets_6m,
        balances.monthly_avg_daily_assets,
        transactions.card_spend_6m,
        transactions.fee_business_6m,
        cast(round(
            cast(balances.avg_assets_6m as decimal(38, 2)) * rates.points_per_cny_assets
            + cast(transactions.card_spend_6m as decimal(38, 2))
            * rates.points_per_cny_card_spend
            + cast(transactions.fee_business_6m as decimal(38, 2))
            * rates.points_per_cny_fee_business,
            2
        ) as decimal(18, 2)) as star_points
    from spine
    inner join balances
        on spine.customer_id = balances.customer_id
    inner join transactions
        on spine.customer_id = transactions.customer_id
    cross join rates

)

select * from calculated
