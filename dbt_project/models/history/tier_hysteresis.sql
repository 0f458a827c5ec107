{#- On Spark, no broadcast joins in this model: the recursion's joins are planned on
    size estimates that do not hold for the fold, and broadcasting it ran the driver
    out of memory at 10M transactions (tests/benchmarks/RESULTS.md) -#}
{{
    config(
        pre_hook="{{ engine_setting('spark.sql.autoBroadcastJoinThreshold', '-1') }}",
        post_hook="{{ engine_setting('spark.sql.autoBroadcastJoinThreshold') }}",
    )
}}
-- Fast up, slow down (快升缓降) for the effective schemes of the registry (var
-- tier_schemes, entries with effective_of: star level and card tier): the effective
-- tier of every visible monthly rating (tier_ratings_visible) of the smoothed scheme,
-- folded month by month per customer and scheme:
--   first rating                      -> effective = rating          status NEW
--   rating better than effective      -> effective = rating at once  UPGRADED
--   rating equal to effective         -> unchanged, counter reset    STABLE
--   rating worse, counter + 1 < N     -> effective kept, counter + 1 WATCH
--   rating worse, counter + 1 = N     -> effective = this rating     DOWNGRADED
-- where N = downgrade_after_months (seed tier_hysteresis_rules, 3) and the counter
-- (months_below) counts consecutive calendar months rated below the effective band;
-- a rating at or above it resets the counter. A calendar month without a rating (no
-- run for that month-end, or an UNRATED month: no balances) breaks the streak: the
-- next rating below the band starts again at 1, so a gap is never bridged. An UNRATED
-- month is not a rating: the fold skips it and the month's effective tier is the
-- effective scheme's status (UNRATED).
-- The whole sequence is refolded on every run from the stored monthly ratings, so
-- the state is a function of the ratings alone (see tier_monthly_ratings). The fold
-- reads the ratings as computed (computed_tier_*), never a manual override.
{#- the count of consecutive calendar months rated below the effective band, this one
    included: the streak goes on only from a WATCH rating of the month before -#}
{%- set below = "((case when fold.status = 'WATCH' and next_rating.follows_previous_month "
    ~ "then fold.months_below else 0 end) + 1)" %}
{%- set effective_schemes = tier_schemes(effective=true) %}
with recursive

rules as (

    -- which scheme each effective scheme smooths (registry), and its N (seed)
    select
        registry.scheme,
        registry.effective_scheme,
        hysteresis_rules.downgrade_after_months
    from (
        values
        {%- for effective in effective_schemes %}
        ('{{ effective.effective_of }}', '{{ effective.scheme }}')
        {{- "," if not loop.last }}
        {%- endfor %}
    ) as registry (scheme, effective_scheme)
    inner join {{ ref('tier_hysteresis_rules') }} as hysteresis_rules
        on registry.effective_scheme = hysteresis_rules.scheme

),

unrated as (

    select * from {{ ref('tier_status_labels') }}

),

effective_status as (

    {%- for effective in effective_schemes %}
    select
        '{{ effective.scheme }}' as effective_scheme,
        status.*
    from ({{ tier_status_sql(effective) }}) as status
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

visible as (

    -- the month's rating as computed: a manual override of the smoothed scheme pins
    -- that scheme's published tier only, it never enters the fold (an expired one
    -- leaves no trace here); the effective scheme's own overrides are applied on top
    -- of the fold (customer_star_tier_effective, tier_rating_sequence)
    select
        ratings.customer_id,
        ratings.rating_month,
        ratings.scheme,
        ratings.computed_tier_code as tier_code,
        ratings.computed_tier_rank as tier_rank,
        ratings.computed_tier_label_zh as tier_label_zh,
        ratings.computed_tier_label_en as tier_label_en,
        ratings.rule_version,
        ratings.rated_as_of_date,
        rules.effective_scheme,
        rules.downgrade_after_months,
        unrated.tier_code is not null as is_unrated
    from {{ ref('tier_ratings_visible') }} as ratings
    inner join rules
        on ratings.scheme = rules.scheme
    left join unrated
        on ratings.scheme = unrated.scheme
            and ratings.computed_tier_code = unrated.tier_code

),

ratings as (

    select
        *,
        row_number() over (partition by customer_id, scheme order by rating_month) as seq,
        -- rated in the calendar month right after the previous rating (no gap)
        coalesce({{ months_crossed(
            'lag(rating_month) over (partition by customer_id, scheme order by rating_month)',
            'rating_month'
        ) }} = 1, false) as follows_previous_month
    from visible
    where not is_unrated

),

fold (
    customer_id, scheme, seq, effective_code, effective_rank, effective_zh, effective_en,
    months_below, status, previous_code, previous_rank, previous_zh, previous_en
) as (

    select
        customer_id,
        scheme,
        seq,
        tier_code,
        tier_rank,
        tier_label_zh,
        tier_label_en,
        cast(0 as integer),
        cast('NEW' as string),
        cast(null as string),
        cast(null as integer),
        cast(null as string),
        cast(null as string)
    from ratings
    where seq = 1

    union all

    select
        next_rating.customer_id,
        next_rating.scheme,
        next_rating.seq,
        case
            when next_rating.tier_rank <= fold.effective_rank then next_rating.tier_code
            when {{ below }} >= next_rating.downgrade_after_months then next_rating.tier_code
            else fold.effective_code
        end,
        case
            when next_rating.tier_rank <= fold.effective_rank then next_rating.tier_rank
            when {{ below }} >= next_rating.downgrade_after_months then next_rating.tier_rank
            else fold.effective_rank
        end,
        case
            when next_rating.tier_rank <= fold.effective_rank then next_rating.tier_label_zh
            when {{ below }} >= next_rating.downgrade_after_months
                then next_rating.tier_label_zh
            else fold.effective_zh
        end,
        case
            when next_rating.tier_rank <= fold.effective_rank then next_rating.tier_label_en
            when {{ below }} >= next_rating.downgrade_after_months
                then next_rating.tier_label_en
            else fold.effective_en
        end,
        case when next_rating.tier_rank <= fold.effective_rank then 0 else {{ below }} end,
        case
            when next_rating.tier_rank < fold.effective_rank then 'UPGRADED'
            when next_rating.tier_rank = fold.effective_rank then 'STABLE'
            when {{ below }} >= next_rating.downgrade_after_months then 'DOWNGRADED'
            else 'WATCH'
        end,
        fold.effective_code,
        fold.effective_rank,
        fold.effective_zh,
        fold.effective_en
    from fold
    inner join ratings as next_rating
        on fold.customer_id = next_rating.customer_id
            and fold.scheme = next_rating.scheme
            and next_rating.seq = fold.seq + 1

),

rated as (

    select
        ratings.customer_id,
        ratings.scheme,
        ratings.effective_scheme,
        ratings.rating_month,
        ratings.rated_as_of_date,
        ratings.tier_code,
        ratings.tier_rank,
        ratings.tier_label_zh,
        ratings.tier_label_en,
        fold.effective_code as effective_tier_code,
        fold.effective_rank as effective_tier_rank,
        fold.effective_zh as effective_tier_label_zh,
        fold.effective_en as effective_tier_label_en,
        fold.status,
        fold.months_below,
        ratings.downgrade_after_months,
        fold.previous_code as previous_effective_tier_code,
        fold.previous_rank as previous_effective_tier_rank,
        fold.previous_zh as previous_effective_tier_label_zh,
        fold.previous_en as previous_effective_tier_label_en,
        ratings.rule_version
    from ratings
    inner join fold
        on ratings.customer_id = fold.customer_id
            and ratings.scheme = fold.scheme
            and ratings.seq = fold.seq

),

unrated_months as (

    select
        visible.customer_id,
        visible.scheme,
        visible.effective_scheme,
        visible.rating_month,
        visible.rated_as_of_date,
        visible.tier_code,
        visible.tier_rank,
        visible.tier_label_zh,
        visible.tier_label_en,
        effective_unrated.tier_code as effective_tier_code,
        effective_unrated.tier_rank as effective_tier_rank,
        effective_unrated.label_zh as effective_tier_label_zh,
        effective_unrated.label_en as effective_tier_label_en,
        'UNRATED' as status,
        cast(null as integer) as months_below,
        visible.downgrade_after_months,
        cast(null as string) as previous_effective_tier_code,
        cast(null as integer) as previous_effective_tier_rank,
        cast(null as string) as previous_effective_tier_label_zh,
        cast(null as string) as previous_effective_tier_label_en,
        visible.rule_version
    from visible
    left join effective_status as effective_unrated
        on visible.effective_scheme = effective_unrated.effective_scheme
    where visible.is_unrated

),

final as (

    select * from rated
    union all
    select * from unrated_months

)

{{ contract_select('final') }}
