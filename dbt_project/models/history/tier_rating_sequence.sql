-- Every monthly rating visible as of the as-of date, per customer, scheme and month:
-- the tiers as published (tier_ratings_visible: a manual override is a rating like
-- any other, flagged is_override) and the effective fast-up / slow-down tiers
-- (tier_hysteresis, schemes effective_star_level and effective_card_tier), folded
-- from the computed ratings, where a month an override pinned an effective scheme
-- (its stored override) shows the pinned tier with the folded one as computed.
-- customer_tier_history and tier_migration read this one sequence.
{%- set effective_schemes = tier_schemes(effective=true) %}
with

visible as (

    select * from {{ ref('tier_ratings_visible') }}

),

computed_schemes as (

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
        override_reason,
        override_approved_by,
        rule_version,
        rated_as_of_date
    from visible
    where scheme not in ({{ scheme_name_list(effective_schemes) }})

),

effective_overrides as (

    select * from visible
    where scheme in ({{ scheme_name_list(effective_schemes) }})

),

effective as (

    select
        folded.customer_id,
        folded.rating_month,
        folded.effective_scheme as scheme,
        coalesce(pinned.tier_code, folded.effective_tier_code) as tier_code,
        coalesce(pinned.tier_rank, folded.effective_tier_rank) as tier_rank,
        coalesce(pinned.tier_label_zh, folded.effective_tier_label_zh) as tier_label_zh,
        coalesce(pinned.tier_label_en, folded.effective_tier_label_en) as tier_label_en,
        pinned.customer_id is not null as is_override,
        folded.effective_tier_code as computed_tier_code,
        folded.effective_tier_rank as computed_tier_rank,
        pinned.override_reason,
        pinned.override_approved_by,
        folded.rule_version,
        folded.rated_as_of_date
    from {{ ref('tier_hysteresis') }} as folded
    left join effective_overrides as pinned
        on folded.customer_id = pinned.customer_id
            and folded.effective_scheme = pinned.scheme
            and folded.rating_month = pinned.rating_month

)

select * from computed_schemes
union all
select * from effective
