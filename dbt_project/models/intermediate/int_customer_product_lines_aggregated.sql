-- Per spine customer, the product lines used in the trailing window
-- (transaction_date in (as_of - 12 months, as_of]): lines of the transaction types
-- flagged is_product_use in seed transaction_type_roles (purchases, premiums, card
-- spend, fees, deposits - not claims, refunds or withdrawals). The insurance lines
-- (seed product_lines, category insurance) are the insurance-knowledge proxy of the
-- education tier; the count of all lines is the business scope and product fit.
-- The lines come from the one scan of the transactions
-- (int_customer_transactions_aggregated: a sorted list per customer); this model adds
-- their categories, so only the models that read it depend on seed product_lines.
with

aggregated as (

    select
        customer_id,
        product_line_list_12m
    from {{ ref('int_customer_transactions_aggregated') }}

),

product_lines as (

    select * from {{ ref('product_lines') }}

),

used_lines as (

    select
        customer_id,
        {{ unnest_list('product_line_list_12m') }} as product_line
    from aggregated

),

insurance_lines as (

    select
        used_lines.customer_id,
        count(*) as insurance_line_count
    from used_lines
    inner join product_lines
        on used_lines.product_line = product_lines.product_line
    where product_lines.category = 'insurance'
    group by used_lines.customer_id

),

final as (

    select
        aggregated.customer_id,
        cast({{ list_length('aggregated.product_line_list_12m') }} as integer)
            as product_line_count_12m,
        cast(coalesce(insurance_lines.insurance_line_count, 0) as integer)
            as insurance_line_count_12m,
        cast(
            nullif({{ list_to_string('aggregated.product_line_list_12m', "','") }}, '') as string
        ) as product_lines_12m
    from aggregated
    left join insurance_lines
        on aggregated.customer_id = insurance_lines.customer_id

)

select * from final
