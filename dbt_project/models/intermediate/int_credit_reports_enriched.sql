-- Per customer, the latest credit report on or before the as-of date, with the
-- ratios the credit rating bands:
--   debt_to_income = monthly_debt_payment * 12 / annual_income
--                    (NULL - unknown - when the monthly payment is missing: total
--                     debt is a stock, not a payment, and is never substituted; NULL
--                     when income is missing or 0)
--   loan_to_value  = loan_amount / collateral_value
--                    (NULL when there is no collateral: value missing or 0;
--                     a missing loan amount counts as 0)
-- Both are exact decimals (macro exact_quotient, 18 decimals, last digit rounded up,
-- which keeps the (lower, upper] bands exact), never rounded here: the bands compare
-- the exact ratio (0.3600396 is above 0.36), and the tier table rounds the figure
-- it displays.
with

reports as (

    select * from {{ ref('stg_credit__reports') }}
    where report_date <= {{ as_of_date() }}

),

latest as (

    select *
    from reports
    qualify row_number() over (
            partition by customer_id
            order by report_date desc
        ) = 1

),

enriched as (

    select
        customer_id,
        report_date,
        credit_score,
        overdue_count,
        max_days_past_due,
        annual_income,
        total_debt,
        monthly_debt_payment,
        collateral_type,
        collateral_value,
        loan_amount,
        {{ exact_quotient(
            'monthly_debt_payment * 12', 'annual_income', scale=18, rounding='up'
        ) }} as debt_to_income,
        {{ exact_quotient(
            'coalesce(loan_amount, 0)', 'collateral_value', scale=18, rounding='up'
        ) }} as loan_to_value
    from latest

)

select * from enriched
