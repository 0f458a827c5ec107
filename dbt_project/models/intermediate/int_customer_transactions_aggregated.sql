-- Per spine customer, the transaction figures the tiers need, as of the as-of date.
--   trailing window: transaction_date in (as_of - 12 months, as_of]
--   star window:     transaction_date in (as_of - 6 months, as_of]
--   potential:       activity in (as_of - 6 months, as_of] ("recent") and in the
--                    6 months before it ("previous")
--   product lines:   the distinct lines of the transactions flagged is_product_use
--                    (purchases, premiums, card spend, fees, deposits - not claims,
--                    refunds or withdrawals) in the trailing window, as a sorted list
-- (lengths from seed rule_parameters). Which types add to or subtract from the
-- contribution, count as RFM activity, as a loyalty purchase or as product use comes
-- from seed transaction_type_roles.
-- This is the only model that reads the transactions: every per-customer window is
-- computed in this one scan (the largest table of the warehouse), and the models that
-- need a part of it (int_customer_product_lines_aggregated) select from here. It reads
-- no seed but the windows' and the types': a model's rule_version fingerprints the
-- seeds upstream, so the product-line categories are joined downstream.
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

windows as (

    select
        {{ as_of_date() }} as as_of_date,
        cast(
            {{ as_of_date() }}
            - {{ months_interval(
                "cast(" ~ rule_parameter('trailing_window_months') ~ " as integer)"
            ) }}
            as date
        ) as trailing_window_after,
        cast(
            {{ as_of_date() }}
            - {{ months_interval(
                "cast(" ~ rule_parameter('star_window_months') ~ " as integer)"
            ) }}
            as date
        ) as star_window_after,
        cast(
            {{ as_of_date() }}
            - {{ months_interval(
                "cast(" ~ rule_parameter('potential_window_months') ~ " as integer)"
            ) }}
            as date
        ) as potential_window_after,
        cast(
            {{ as_of_date() }}
            - {{ months_interval(
                "2 * cast(" ~ rule_parameter('potential_window_months') ~ " as integer)"
            ) }}
            as date
        ) as potential_previous_after

),

flagged as (

    select
        transactions.customer_id,
        transactions.transaction_date,
        transactions.transaction_type,
        transactions.amount,
        coalesce(roles.contribution_sign, 0) as contribution_sign,
        coalesce(roles.is_rfm_activity, false) as is_rfm_activity,
        coalesce(roles.is_loyalty_purchase, false) as is_loyalty_purchase,
        coalesce(roles.is_product_use, false) and transactions.product_line is not null
            as is_product_use,
        transactions.product_line,
        transactions.transaction_date > windows.trailing_window_after as in_trailing_window,
        transactions.transaction_date > windows.star_window_after as in_star_window,
        transactions.transaction_date > windows.potential_window_after as in_potential_window,
        transactions.transaction_date > windows.potential_previous_after
        and transactions.transaction_date <= windows.potential_window_after
            as in_potential_previous_window
    from transactions
    cross join windows
    left join roles
        on transactions.transaction_type = roles.transaction_type
    -- nothing after the business date counts, whatever the warehouse holds
    where transactions.transaction_date <= windows.as_of_date

),

aggregated as (

    select
        customer_id,

        -- trailing 12 months, by type
        sum(case when in_trailing_window and transaction_type = 'purchase' then amount end)
            as purchase_amount_12m,
        sum(case when in_trailing_window and transaction_type = 'premium' then amount end)
            as premium_amount_12m,
        sum(case when in_trailing_window and transaction_type = 'service_fee' then amount end)
            as service_fee_amount_12m,
        sum(case when in_trailing_window and transaction_type = 'fee_business' then amount end)
            as fee_business_amount_12m,
        sum(case when in_trailing_window and transaction_type = 'claim' then amount end)
            as claim_amount_12m,
        sum(case when in_trailing_window and transaction_type = 'refund' then amount end)
            as refund_amount_12m,
        sum(case when in_trailing_window then amount * contribution_sign end)
            as contribution_12m,

        -- loyalty: purchases and the distinct months they fall in
        count(case when in_trailing_window and is_loyalty_purchase then 1 end)
            as purchase_count_12m,
        count(distinct case
            when in_trailing_window and is_loyalty_purchase
                then cast(date_trunc('month', transaction_date) as date)
        end) as purchase_months_12m,

        -- RFM activity: last ever, and count/amount in the trailing window
        max(case when is_rfm_activity then transaction_date end) as last_activity_date,
        count(case when in_trailing_window and is_rfm_activity then 1 end)
            as activity_count_12m,
        sum(case when in_trailing_window and is_rfm_activity then amount end)
            as activity_amount_12m,

        -- claims (risk) and the activity trend (business potential)
        count(case when in_trailing_window and transaction_type = 'claim' then 1 end)
            as claim_count_12m,
        sum(case when in_potential_window and is_rfm_activity then amount end)
            as activity_amount_recent,
        sum(case when in_potential_previous_window and is_rfm_activity then amount end)
            as activity_amount_previous,

        -- star points window
        sum(case when in_star_window and transaction_type = 'card_spend' then amount end)
            as card_spend_6m,
        sum(case when in_star_window and transaction_type = 'fee_business' then amount end)
            as fee_business_6m,

        -- product lines used in the trailing window (business scope, insurance knowledge)
        {{ sorted_distinct_list('product_line', 'in_trailing_window and is_product_use') }}
            as product_lines

    from flagged
    group by customer_id

),

final as (

    select
        spine.customer_id,
        cast(coalesce(aggregated.purchase_amount_12m, 0) as decimal(18, 2)) as purchase_amount_12m,
        cast(coalesce(aggregated.premium_amount_12m, 0) as decimal(18, 2)) as premium_amount_12m,
        cast(coalesce(aggregated.service_fee_amount_12m, 0) as decimal(18, 2))
            as service_fee_amount_12m,
        cast(coalesce(aggregated.fee_business_amount_12m, 0) as decimal(18, 2))
            as fee_business_amount_12m,
        cast(coalesce(aggregated.claim_amount_12m, 0) as decimal(18, 2)) as claim_amount_12m,
        cast(coalesce(aggregated.refund_amount_12m, 0) as decimal(18, 2)) as refund_amount_12m,
        cast(coalesce(aggregated.contribution_12m, 0) as decimal(18, 2)) as contribution_12m,
        cast(coalesce(aggregated.purchase_count_12m, 0) as integer) as purchase_count_12m,
        cast(coalesce(aggregated.purchase_months_12m, 0) as integer) as purchase_months_12m,
        aggregated.last_activity_date,
        cast(coalesce(aggregated.activity_count_12m, 0) as integer) as activity_count_12m,
        cast(coalesce(aggregated.activity_amount_12m, 0) as decimal(18, 2)) as activity_amount_12m,
        cast(coalesce(aggregated.card_spend_6m, 0) as decimal(18, 2)) as card_spend_6m,
        cast(coalesce(aggregated.fee_business_6m, 0) as decimal(18, 2)) as fee_business_6m,
        cast(coalesce(aggregated.claim_count_12m, 0) as integer) as claim_count_12m,
        cast(coalesce(aggregated.activity_amount_recent, 0) as decimal(18, 2))
            as activity_amount_recent,
        cast(coalesce(aggregated.activity_amount_previous, 0) as decimal(18, 2))
            as activity_amount_previous,
        coalesce(aggregated.product_lines, {{ empty_string_list() }}) as product_line_list_12m
    from spine
    left join aggregated
        on spine.customer_id = aggregated.customer_id

)

select * from final
