-- Every monthly rating visible as of the as-of date, per customer, scheme and month:
-- the tiers as computed (tier_ratings_visible) and the effective fast-up / slow-down
-- tiers (tier_hysteresis, schemes effective_star_level and effective_card_tier).
-- customer_tier_history and tier_migration read this one sequence.
with

visible as (

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
    from {{ ref('tier_ratings_visible') }}

),

effective as (

    select
        customer_id,
        rating_month,
        effective_scheme as scheme,
        effective_tier_code as tier_code,
        effective_tier_rank as tier_rank,
        effective_tier_label_zh as tier_label_zh,
        effective_tier_label_en as tier_label_en,
        rule_version,
        rated_as_of_date
    from {{ ref('tier_hysteresis') }}

)

select * from visible
union all
select * from effective
