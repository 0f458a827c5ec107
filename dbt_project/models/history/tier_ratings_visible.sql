-- The rating sequence visible as of the as-of date: the stored monthly ratings of
-- the months BEFORE the as-of month, and this run's own ratings for the as-of month.
-- A month after the as-of date (stored by an earlier run of a later date) is never
-- visible, and neither is a later run of the same month: re-running a past date
-- shows that date's tiers.
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
        rule_version,
        rated_as_of_date
    from {{ ref('tier_ratings_current') }}

)

select * from stored
union all
select * from current_ratings
