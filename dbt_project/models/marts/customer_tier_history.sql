-- Tier history as SCD2 (type 2 slowly changing dimension) as of the as-of date: one
-- row per customer, scheme and period during which the monthly ratings kept the same
-- tier code, for every scheme of the registry (var tier_schemes: the computed tiers
-- and the effective fast-up / slow-down star level and card tier). Built from the visible
-- monthly rating sequence (history.tier_rating_sequence), so it holds nothing dated
-- after the as-of date and depends only on the monthly ratings - not on how many
-- nightly runs produced them.
--   valid_from       as-of date of the first monthly rating of the period
--   valid_to         as-of date of the first rating of the next period (exclusive);
--                    NULL for the latest period of the customer and scheme
--   is_current       the latest period AND rated in the as-of month
--   rules_changed    the period began with a rating made with other rules (another
--                    rule_version) than the rating before it: the change may come from
--                    the rules rather than from the customer
--   is_override      the period's ratings are a manual override (landing source
--                    overrides) with its reason and approver: a period starts where
--                    the code changes OR where a pin begins or ends, so a manual pin
--                    is told from a computed change even when it pins the same code
with

sequence as (

    select * from {{ ref('tier_rating_sequence') }}

),

with_previous as (

    select
        *,
        lag(tier_code) over (
            partition by customer_id, scheme order by rating_month
        ) as previous_tier_code,
        lag(coalesce(is_override, false)) over (
            partition by customer_id, scheme order by rating_month
        ) as previous_is_override,
        lag(rule_version) over (
            partition by customer_id, scheme order by rating_month
        ) as previous_rule_version
    from sequence

),

flagged as (

    -- a period starts where the code differs from the previous monthly rating, or
    -- where a manual override begins or ends
    select
        *,
        case
            when coalesce(is_override, false) <> previous_is_override then 1
            when tier_code = previous_tier_code then 0
            when tier_code is null and previous_tier_code is null then 0
            else 1
        end as starts_period
    from with_previous

),

numbered as (

    select
        *,
        sum(starts_period) over (
            partition by customer_id, scheme order by rating_month
            rows between unbounded preceding and current row
        ) as period_number
    from flagged

),

periods as (

    select
        customer_id,
        scheme,
        period_number,
        min(rating_month) as valid_from_month,
        max(rating_month) as last_rating_month,
        min(rated_as_of_date) as valid_from,
        max(rated_as_of_date) as last_rated_as_of_date,
        count(*) as rating_count,
        arg_max(tier_code, rating_month) as tier_code,
        arg_max(tier_rank, rating_month) as tier_rank,
        arg_max(tier_label_zh, rating_month) as tier_label_zh,
        arg_max(tier_label_en, rating_month) as tier_label_en,
        arg_max(rule_version, rating_month) as rule_version,
        bool_or(coalesce(is_override, false)) as is_override,
        arg_max(override_reason, rating_month) as override_reason,
        arg_max(override_approved_by, rating_month) as override_approved_by,
        arg_min(
            coalesce(rule_version <> previous_rule_version, false), rating_month
        ) as rules_changed
    from numbered
    group by customer_id, scheme, period_number

),

bounded as (

    select
        *,
        lead(valid_from) over (
            partition by customer_id, scheme order by period_number
        ) as valid_to
    from periods

),

final as (

    select
        *,
        valid_to is null
        and last_rating_month = cast(date_trunc('month', {{ as_of_date() }}) as date)
            as is_current,
        {{ as_of_date() }} as as_of_date
    from bounded

)

{{ contract_select('final') }}
