-- One row per customer and report date: credit bureau score, income, debt and
-- collateral.
-- No dedup here: raw is one row per key (the ingest keeps the first delivered row of
-- a key, quarantines conflicting ones and counts exact duplicates).
with

source as (

    select * from {{ source('raw', 'credit_reports') }}

),

renamed as (

    select
        -- ids
        md5(concat_ws('|', customer_id, cast(report_date as string))) as credit_report_key,
        cast(customer_id as string) as customer_id,

        -- dates
        cast(report_date as date) as report_date,

        -- score and record
        cast(credit_score as integer) as credit_score,
        cast(overdue_count as integer) as overdue_count,
        cast(max_days_past_due as integer) as max_days_past_due,

        -- income and debt
        cast(annual_income as decimal(18, 2)) as annual_income,
        cast(total_debt as decimal(18, 2)) as total_debt,
        cast(monthly_debt_payment as decimal(18, 2)) as monthly_debt_payment,

        -- collateral
        cast(collateral_type as string) as collateral_type,
        cast(collateral_value as decimal(18, 2)) as collateral_value,
        cast(loan_amount as decimal(18, 2)) as loan_amount,

        -- lineage
        cast(_source_file as string) as _source_file,
        cast(_source_row as bigint) as _source_row

    from source

)

select * from renamed
