-- Per spine customer, financial assets from the monthly average daily balances
-- (transaction flow is not an asset):
--   monthly_avg_daily_assets: sum over the customer's accounts of avg_daily_balance
--     in the as-of month (card tier);
--   has_account: the customer has at least one balance row in the as-of month, the
--     month the card tier reads (false: no account at all, card tier NO_ACCOUNT -
--     a zero balance row is an account, ORDINARY);
--   avg_assets_6m_exact: average over the 6 calendar months ending with the as-of
--     month of the monthly totals, a month without balances counting as 0 (star
--     points), an exact decimal (macro exact_quotient, 10 decimals, rounded down):
--     the star points are computed from it, never from the displayed figure;
--   avg_assets_6m: the same rounded to 0.01 CNY, for display.
{#- the star window's first month is this many months before the as-of month -#}
{%- set months_before = "cast(" ~ rule_parameter('star_window_months') ~ " as integer) - 1" %}

with

spine as (

    select customer_id from {{ ref('int_customers_filtered') }}

),

balances as (

    select * from {{ ref('stg_core__balances') }}

),

windows as (

    select
        cast({{ rule_parameter('star_window_months') }} as integer) as star_window_months,
        substr(cast({{ as_of_date() }} as string), 1, 7) as as_of_month,
        substr(
            cast(
                cast(
                    date_trunc('month', {{ as_of_date() }})
                    - {{ months_interval(months_before) }} as date
                ) as string
            ),
            1,
            7
        ) as star_window_first_month

),

monthly as (

    select
        balances.customer_id,
        balances.balance_month,
        sum(balances.avg_daily_balance) as month_assets
    from balances
    cross join windows
    where balances.balance_month between windows.star_window_first_month and windows.as_of_month
    group by balances.customer_id, balances.balance_month

),

aggregated as (

    select
        monthly.customer_id,
        sum(monthly.month_assets) as assets_6m_total,
        max(windows.star_window_months) as star_window_months,
        sum(case when monthly.balance_month = windows.as_of_month then monthly.month_assets end)
            as monthly_avg_daily_assets,
        bool_or(monthly.balance_month = windows.as_of_month) as has_account,
        count(*) as months_with_balances
    from monthly
    cross join windows
    group by monthly.customer_id

),

averaged as (

    select
        customer_id,
        {{ exact_quotient(
            'assets_6m_total', 'star_window_months', scale=10, rounding='down'
        ) }} as avg_assets_6m_exact
    from aggregated

),

final as (

    select
        spine.customer_id,
        cast(round(coalesce(averaged.avg_assets_6m_exact, 0), 2) as decimal(18, 2))
            as avg_assets_6m,
        coalesce(averaged.avg_assets_6m_exact, 0) as avg_assets_6m_exact,
        cast(coalesce(aggregated.monthly_avg_daily_assets, 0) as decimal(18, 2))
            as monthly_avg_daily_assets,
        cast(coalesce(aggregated.months_with_balances, 0) as integer) as months_with_balances,
        coalesce(aggregated.has_account, false) as has_account
    from spine
    left join aggregated
        on spine.customer_id = aggregated.customer_id
    left join averaged
        on spine.customer_id = averaged.customer_id

)

select * from final
