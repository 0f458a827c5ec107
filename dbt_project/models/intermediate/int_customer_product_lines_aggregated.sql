-- Per spine customer, the product lines used in the trailing window
-- (transaction_date in (as_of - 12 months, as_of]): lines of the transaction types
-- flagged is_product_use in seed transaction_type_roles (purchases, premiums, card
-- spend, fees, deposits - not claims, refunds or withdrawals). The insurance lines
-- (seed product_lines, category insurance) are the insurance-knowledge proxy of the
-- education tier; the count of all lines is the business scope and product fit.
with

spine as (

    select customer_id from {{ ref('int_customers_filtered') }}

),

transactions as (

    select * from {{ ref('stg_core__transactions') }}

),

roles as (

    select * from {{ ref('transaction_type_roles') }}

),

product_lines as (

    select * from {{ ref('product_lines') }}

),

windowed as (

    select
        transactions.customer_id,
        transactions.product_line,
        coalesce(product_lines.category = 'insurance', false) as is_insurance
    from transactions
    inner join roles
        on transactions.transaction_type = roles.transaction_type
    left join product_lines
        on transactions.product_line = product_lines.product_line
    where roles.is_product_use
        and transactions.product_line is not null
        and transactions.transaction_date <= {{ as_of_date() }}
        and transactions.transaction_date > cast(
            {{ as_of_date() }}
            - to_months(cast({{ rule_parameter('trailing_window_months') }} as integer))
            as date
        )

),

aggregated as (

    select
        customer_id,
        count(distinct product_line) as product_line_count,
        count(distinct case when is_insurance then product_line end) as insurance_line_count,
        string_agg(distinct product_line, ',' order by product_line) as product_lines
    from windowed
    group by customer_id

),

final as (

    select
        spine.customer_id,
        cast(coalesce(aggregated.product_line_count, 0) as integer) as product_line_count_12m,
        cast(coalesce(aggregated.insurance_line_count, 0) as integer)
            as insurance_line_count_12m,
        cast(aggregated.product_lines as varchar) as product_lines_12m
    from spine
    left join aggregated
        on spine.customer_id = aggregated.customer_id

)

select * from final
