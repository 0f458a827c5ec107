-- Loyalty score 0-100 per spine customer: a weighted mean of component scores in
-- [0, 1], weights, floors, caps, direction and neutral scores from seed
-- loyalty_score_weights:
--   normalised = clamp((value - floor_value) / (cap_value - floor_value), 0, 1),
--                an exact decimal of 10 decimals (macro decimal_ratio)
--   component  = normalised, or 1 - normalised for a negative component
--                (complaints); neutral_score when the value is unknown
--   score      = 100 * sum(weight * component) / sum(weight), summed in DECIMAL and
--                rounded half up to 0.01 (macro decimal_ratio): the same on every run
-- Unknown: the interaction components (satisfaction, complaints, unresolved
-- complaints, referrals) of a customer without interactions in the window (also
-- when no interactions file was delivered), and satisfaction of a customer without
-- a survey. The transaction components are always known.
with

spine as (

    select customer_id from {{ ref('int_customers_filtered') }}

),

transactions as (

    select * from {{ ref('int_customer_transactions_aggregated') }}

),

interactions as (

    select * from {{ ref('int_customer_interactions_aggregated') }}

),

weights as (

    select * from {{ ref('loyalty_score_weights') }}

),

inputs as (

    select
        spine.customer_id,
        interactions.has_interactions,
        interactions.avg_satisfaction,
        interactions.complaint_count,
        interactions.unresolved_complaint_count,
        interactions.referral_count,
        transactions.purchase_count_12m,
        transactions.purchase_months_12m
        >= {{ rule_parameter('repurchase_min_distinct_months') }} as repurchase_flag
    from spine
    inner join transactions
        on spine.customer_id = transactions.customer_id
    inner join interactions
        on spine.customer_id = interactions.customer_id

),

components as (

    -- one row per customer and component; NULL value = unknown
    select
        customer_id,
        'satisfaction' as component,
        cast(avg_satisfaction as decimal(18, 4)) as component_value
    from inputs
    union all
    select
        customer_id,
        'complaints' as component,
        cast(case when has_interactions then complaint_count end as decimal(18, 4))
            as component_value
    from inputs
    union all
    select
        customer_id,
        'unresolved_complaints' as component,
        cast(case when has_interactions then unresolved_complaint_count end as decimal(18, 4))
            as component_value
    from inputs
    union all
    select
        customer_id,
        'referrals' as component,
        cast(case when has_interactions then referral_count end as decimal(18, 4))
            as component_value
    from inputs
    union all
    select
        customer_id,
        'repurchase' as component,
        cast(case when repurchase_flag then 1 else 0 end as decimal(18, 4)) as component_value
    from inputs
    union all
    select
        customer_id,
        'purchase_frequency' as component,
        cast(purchase_count_12m as decimal(18, 4)) as component_value
    from inputs

),

component_scores as (

    select
        components.customer_id,
        weights.weight,
        -- exact decimals (macro decimal_ratio, 10 decimals), never DOUBLE: DuckDB
        -- divides decimals in DOUBLE, and a sum of doubles depends on the order the
        -- threads add them in, so the rounded score could differ by 0.01 from one
        -- build to the next
        cast(case
            when components.component_value is null then coalesce(weights.neutral_score, 0)
            when weights.direction = 'negative'
                then 1 - least(greatest({{ decimal_ratio(
                        'components.component_value - weights.floor_value',
                        'weights.cap_value - weights.floor_value', scale=10,
                    ) }}, 0), 1)
            else least(greatest({{ decimal_ratio(
                    'components.component_value - weights.floor_value',
                    'weights.cap_value - weights.floor_value', scale=10,
                ) }}, 0), 1)
        end as decimal(18, 10)) as component_score
    from components
    inner join weights
        on components.component = weights.component

),

scored as (

    select
        customer_id,
        cast({{ decimal_ratio(
            '100 * sum(weight * component_score)', 'sum(weight)', input_scale=14
        ) }} as decimal(5, 2)) as loyalty_score
    from component_scores
    group by customer_id

),

final as (

    select
        inputs.customer_id,
        inputs.has_interactions,
        inputs.avg_satisfaction,
        inputs.complaint_count,
        inputs.unresolved_complaint_count,
        inputs.referral_count,
        inputs.purchase_count_12m,
        inputs.repurchase_flag,
        scored.loyalty_score
    from inputs
    inner join scored
        on inputs.customer_id = scored.customer_id

)

select * from final
