-- RFM per spine customer, activity = the transaction types flagged is_rfm_activity
-- in seed transaction_type_roles (purchase, premium, card_spend, service_fee):
--   recency_days  = as_of - last activity date (all history up to as_of; NULL if none)
--   frequency_12m = activity transactions in the trailing window
--   monetary_12m  = their amount
-- Customers with activity in the trailing window are scored 1..n (n = 5, seed
-- rule_parameters) by quantile: score = 1 + floor(n * percent_rank), capped at n
-- (in integers: percent_rank = (rank - 1) / (customers - 1)),
-- ordered so that n is best (most recent, most frequent, highest amount). Tied
-- customers share the score of the tie's lowest position, so a score never depends
-- on row order. The segment is the first rule of seed rfm_segments (by priority)
-- whose score ranges match; customers without activity get the 'inactive' rule
-- (NO_ACTIVITY) and NULL scores.
with

spine as (

    select customer_id from {{ ref('int_customers_filtered') }}

),

transactions as (

    select * from {{ ref('int_customer_transactions_aggregated') }}

),

segments as (

    select * from {{ ref('rfm_segments') }}

),

measured as (

    select
        spine.customer_id,
        cast({{ days_between('transactions.last_activity_date', as_of_date()) }} as integer)
            as recency_days,
        transactions.activity_count_12m as frequency_12m,
        transactions.activity_amount_12m as monetary_12m,
        transactions.activity_count_12m > 0 as has_activity
    from spine
    inner join transactions
        on spine.customer_id = transactions.customer_id

),

ranked as (

    -- percent_rank = (rank - 1) / (n - 1) as integers: the score below is its exact
    -- floor, where the DOUBLE percent_rank() could land just under a bucket edge
    select
        customer_id,
        cast({{ rule_parameter('rfm_score_buckets') }} as integer) as buckets,
        rank() over (order by recency_days desc) - 1 as r_rank_below,
        rank() over (order by frequency_12m asc) - 1 as f_rank_below,
        rank() over (order by monetary_12m asc) - 1 as m_rank_below,
        count(*) over () - 1 as rank_span
    from measured
    where has_activity

),

active_scored as (

    -- 1 + floor(buckets * percent_rank), capped at buckets; one customer: 1
    select
        customer_id,
        cast(least(1 + coalesce({{ decimal_ratio(
            'buckets * r_rank_below', 'rank_span', scale=0, input_scale=0, rounding='floor'
        ) }}, 0), buckets) as integer) as r_score,
        cast(least(1 + coalesce({{ decimal_ratio(
            'buckets * f_rank_below', 'rank_span', scale=0, input_scale=0, rounding='floor'
        ) }}, 0), buckets) as integer) as f_score,
        cast(least(1 + coalesce({{ decimal_ratio(
            'buckets * m_rank_below', 'rank_span', scale=0, input_scale=0, rounding='floor'
        ) }}, 0), buckets) as integer) as m_score
    from ranked

),

scored as (

    select
        measured.*,
        active_scored.r_score,
        active_scored.f_score,
        active_scored.m_score
    from measured
    left join active_scored
        on measured.customer_id = active_scored.customer_id

),

segmented as (

    select
        scored.*,
        segments.segment_code as rfm_segment_code,
        segments.label_zh as rfm_segment_zh,
        segments.label_en as rfm_segment_en
    from scored
    left join segments
        on (
            not scored.has_activity
            and segments.applies_to = 'inactive'
        )
        or (
            scored.has_activity
            and segments.applies_to = 'active'
            and scored.r_score between segments.r_min and segments.r_max
            and scored.f_score between segments.f_min and segments.f_max
            and scored.m_score between segments.m_min and segments.m_max
        )
    qualify row_number() over (
            partition by scored.customer_id
            order by segments.priority nulls last
        ) = 1

)

select * from segmented
