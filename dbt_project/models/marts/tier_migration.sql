-- Tier migration for BI: per scheme, how many customers moved from each tier of the
-- previous monthly rating in history (the latest rating month before the as-of
-- month) to each tier of this rating (the as-of date), for every scheme of the
-- registry (var tier_schemes) including the effective star level and card tier. A customer
-- without a previous rating counts as movement NEW (from NULL), one rated before
-- but no longer in the spine as GONE (to NULL). movement UP / DOWN compares ranks
-- (1 = best; UNRATED has the worst rank of its scheme). On the first run every
-- row is NEW and from_as_of_date is NULL. rules_changed: the two ratings were made
-- with different rule versions, so a movement may come from the rules, not from the
-- customers. from_override_count / to_override_count: how many of the customers held a
-- manual override (landing source overrides) at the previous / this rating, so a
-- movement made by a pin (or by its end) is told from a computed one.
with

sequence as (

    select * from {{ ref('tier_rating_sequence') }}

),

current_ratings as (

    select * from sequence
    where rating_month = cast(date_trunc('month', {{ as_of_date() }}) as date)

),

previous_month as (

    select
        scheme,
        max(rating_month) as rating_month
    from sequence
    where rating_month < cast(date_trunc('month', {{ as_of_date() }}) as date)
    group by scheme

),

previous_ratings as (

    select sequence.*
    from sequence
    inner join previous_month
        on sequence.scheme = previous_month.scheme
            and sequence.rating_month = previous_month.rating_month

),

previous_dates as (

    select
        scheme,
        max(rated_as_of_date) as from_as_of_date
    from previous_ratings
    group by scheme

),

pairs as (

    select
        coalesce(current_ratings.scheme, previous_ratings.scheme) as scheme,
        previous_ratings.tier_code as from_tier_code,
        previous_ratings.tier_rank as from_tier_rank,
        previous_ratings.tier_label_zh as from_tier_label_zh,
        previous_ratings.tier_label_en as from_tier_label_en,
        current_ratings.tier_code as to_tier_code,
        current_ratings.tier_rank as to_tier_rank,
        current_ratings.tier_label_zh as to_tier_label_zh,
        current_ratings.tier_label_en as to_tier_label_en,
        case
            when previous_ratings.customer_id is null then 'NEW'
            when current_ratings.customer_id is null then 'GONE'
            when current_ratings.tier_code = previous_ratings.tier_code then 'SAME'
            when current_ratings.tier_rank < previous_ratings.tier_rank then 'UP'
            else 'DOWN'
        end as movement,
        previous_ratings.rule_version as from_rule_version,
        current_ratings.rule_version as to_rule_version,
        coalesce(current_ratings.rule_version <> previous_ratings.rule_version, false)
            as rules_changed,
        coalesce(previous_ratings.is_override, false) as from_is_override,
        coalesce(current_ratings.is_override, false) as to_is_override
    from current_ratings
    full outer join previous_ratings
        on current_ratings.customer_id = previous_ratings.customer_id
            and current_ratings.scheme = previous_ratings.scheme

),

counted as (

    select
        scheme,
        from_tier_code,
        from_tier_rank,
        from_tier_label_zh,
        from_tier_label_en,
        to_tier_code,
        to_tier_rank,
        to_tier_label_zh,
        to_tier_label_en,
        movement,
        from_rule_version,
        to_rule_version,
        rules_changed,
        count(*) as customer_count,
        count(*) filter (where from_is_override) as from_override_count,
        count(*) filter (where to_is_override) as to_override_count
    from pairs
    group by all

),

with_totals as (

    select
        *,
        sum(customer_count) over (partition by scheme, from_tier_code) as from_tier_count
    from counted

),

final as (

    -- the share as an exact decimal (macro decimal_ratio), never a DOUBLE division
    select
        with_totals.*,
        previous_dates.from_as_of_date,
        {{ as_of_date() }} as to_as_of_date,
        {{ decimal_ratio(
            'with_totals.customer_count', 'with_totals.from_tier_count',
            scale=4, input_scale=0,
        ) }} as share_of_from_tier
    from with_totals
    left join previous_dates
        on with_totals.scheme = previous_dates.scheme

)

{{ contract_select('final') }}
