-- Per customer, the latest credit report on or before the as-of date, with the
-- ratios the credit rating bands:
--   debt_to_income = monthly_debt_payment * 12 / annual_income
--                    (total_debt / annual_income when the monthly payment is missing;
--                     NULL when income is missing or 0, or no debt figure at all)
--   loan_to_value  = loan_amount / collateral_value
--                    (NULL when there is no collateral: value missing or 0;
--                     a missing loan amount counts as 0)
-- Both are rounded to 4 decimals (0.01 %), and the bands compare the rounded value,
-- so the figure a reader sees is the figure that was banded.
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
        cast(round(case
            when annual_income is null or annual_income = 0 then null
            when monthly_debt_payment is not null
                then monthly_debt_payment * 12 / annual_income
            when total_debt is not null
                then total_debt / annual_income
        end, 4) as decimal(18, 4)) as debt_to_income,
        cast(round(case
            when collateral_value is null or collateral_value = 0 then null
            else coalesce(loan_amount, 0) / collateral_value
        end, 4) as decimal(18, 4)) as loan_to_value
    from latest

)

select * from enriched
