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

neighbours as (

    -- the monthly ratings before and after each one: one sort for all of them
    select
        *,
        lag(tier_code) over by_month as previous_tier_code,
        lag(coalesce(is_override, false)) over by_month as previous_is_override,
        lag(rule_version) over by_month as previous_rule_version,
        lead(tier_code) over by_month as next_tier_code,
        lead(coalesce(is_override, false)) over by_month as next_is_override,
        lead(rated_as_of_date) over by_month as next_rated_as_of_date,
        row_number() over by_month as rating_number
    from sequence
    window by_month as (partition by customer_id, scheme order by rating_month)

),

edges as (

    -- a period starts where the code differs from the previous monthly rating, or
    -- where a manual override begins or ends; it ends where the next one starts
    select
        *,
        case
            when rating_number = 1 then true
            when coalesce(is_override, false) <> previous_is_override then true
            when tier_code = previous_tier_code then false
            when tier_code is null and previous_tier_code is null then false
            else true
        end as starts_period,
        case
            when next_rated_as_of_date is null then true
            when coalesce(is_override, false) <> next_is_override then true
            when tier_code = next_tier_code then false
            when tier_code is null and next_tier_code is null then false
            else true
        end as ends_period,
        coalesce(rule_version <> previous_rule_version, false) as begins_with_other_rules
    from neighbours

),

spans as (

    -- periods of more than one rating: their first and last rating, and nothing in
    -- between; in this set the row before a last rating is its period's first
    select
        *,
        lag(rating_month) over by_month as first_month,
        lag(rated_as_of_date) over by_month as first_as_of_date,
        lag(rating_number) over by_month as first_number,
        lag(begins_with_other_rules) over by_month as first_begins_with_other_rules
    from edges
    where starts_period <> ends_period
    window by_month as (partition by customer_id, scheme order by rating_month)

),

periods as (

    -- one row per period: its last rating, with what the period's first one says
    -- (both branches are edges.* and then the four first_* columns, in this order)
    select
        *,
        rating_month as first_month,
        rated_as_of_date as first_as_of_date,
        rating_number as first_number,
        begins_with_other_rules as first_begins_with_other_rules
    from edges
    where starts_period and ends_period
    union all
    select * from spans
    where ends_period

),

final as (

    -- within a period the code and the override flag are the same in every month;
    -- what else a rating carries (rank, labels, rules, override reason) is the last
    -- month's
    select
        customer_id,
        scheme,
        tier_code,
        tier_rank,
        tier_label_zh,
        tier_label_en,
        first_as_of_date as valid_from,
        next_rated_as_of_date as valid_to,
        first_month as valid_from_month,
        rating_month as last_rating_month,
        rated_as_of_date as last_rated_as_of_date,
        rating_number - first_number + 1 as rating_count,
        next_rated_as_of_date is null
        and rating_month = cast(date_trunc('month', {{ as_of_date() }}) as date)
            as is_current,
        rule_version,
        first_begins_with_other_rules as rules_changed,
        coalesce(is_override, false) as is_override,
        override_reason,
        override_approved_by,
        {{ as_of_date() }} as as_of_date
    from periods

)

{{ contract_select('final') }}
