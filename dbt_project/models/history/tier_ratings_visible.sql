-- The rating sequence visible as of the as-of date: the stored monthly ratings of
-- the months BEFORE the as-of month, and this run's own ratings for the as-of month.
-- A month after the as-of date (stored by an earlier run of a later date) is never
-- visible, and neither is a later run of the same month: re-running a past date
-- shows that date's tiers.
-- A rating stored before manual overrides existed has no is_override / computed_*
-- (NULL in the appended columns): it was computed, so it reads as not overridden with
-- its own tier as the computed one.
with

stored as (

    select
        customer_id,
        rating_month,
        scheme,
        tier_code,
        tier_rank,
        tier_label_zh,
        tier_label_en,
        coalesce(is_override, false) as is_override,
        case when is_override is null then tier_code else computed_tier_code end
            as computed_tier_code,
        case when is_override is null then tier_rank else computed_tier_rank end
            as computed_tier_rank,
        case when is_override is null then tier_label_zh else computed_tier_label_zh end
            as computed_tier_label_zh,
        case when is_override is null then tier_label_en else computed_tier_label_en end
            as computed_tier_label_en,
        override_id,
        override_reason,
        override_approved_by,
        rule_version,
        rated_as_of_date
    from {{ ref('tier_monthly_ratings') }}
    where rating_month < cast(date_trunc('month', {{ as_of_date() }}) as date)

),

current_ratings as (

    select
        customer_id,
        rating_month,
        scheme,
        tier_code,
        tier_rank,
        tier_label_zh,
        tier_label_en,
        is_override,
        computed_tier_code,
        computed_tier_rank,
        computed_tier_label_zh,
        computed_tier_label_en,
        override_id,
        override_reason,
        override_approved_by,
        rule_version,
        rated_as_of_date
    from {{ ref('tier_ratings_current') }}

)

select * from stored
union all
select * from current_ratings
