{{ config(meta={'dagster': {'ref': {'name': 'customer_tiers'}}}) }}
-- customer_tiers never hides a missing source: when int_source_availability says an
-- optional source was not delivered, every tier that needs it reads UNRATED (the
-- NOT NULL constraints of the contract already rule out a missing tier).
--   balances       -> star level and card tier, computed and effective
--   credit_reports -> credit grade, credit status, repayment capacity, collateral
--   interactions   -> lead intent
--   leads          -> lead quality and pipeline stage
-- A tier a manual override pins (customer_tiers.overridden_schemes) shows the pinned
-- code whatever the data: the override is a decision, not a figure.
with

present as (

    select
        {{ source_present('balances') }} as balances,
        {{ source_present('credit_reports') }} as credit_reports,
        {{ source_present('interactions') }} as interactions,
        {{ source_present('leads') }} as leads

),

tiers as (

    select
        *,
        string_split(coalesce(overridden_schemes, ''), ',') as pinned
    from {{ ref('customer_tiers') }}

)

select
    tiers.customer_id,
    'balances absent but a star level or card tier is rated' as problem
from tiers
cross join present
where not present.balances
    and (
        (
            tiers.star_level_code <> 'UNRATED'
            and not list_contains(tiers.pinned, 'star_level')
        )
        or (
            tiers.card_tier_code <> 'UNRATED'
            and not list_contains(tiers.pinned, 'card_tier')
        )
        or (
            tiers.effective_star_level_code <> 'UNRATED'
            and not list_contains(tiers.pinned, 'effective_star_level')
        )
        or (
            tiers.effective_card_tier_code <> 'UNRATED'
            and not list_contains(tiers.pinned, 'effective_card_tier')
        )
    )
union all
select
    tiers.customer_id,
    'credit_reports absent but the credit grade is rated' as problem
from tiers
cross join present
where not present.credit_reports
    and (
        (
            tiers.credit_grade_code <> 'UNRATED'
            and not list_contains(tiers.pinned, 'credit_grade')
        )
        or (
            tiers.credit_status_code <> 'UNRATED'
            and not list_contains(tiers.pinned, 'credit_status')
        )
        or (
            tiers.repayment_capacity_code <> 'UNRATED'
            and not list_contains(tiers.pinned, 'repayment_capacity')
        )
        or (
            tiers.collateral_code <> 'UNRATED'
            and not list_contains(tiers.pinned, 'collateral')
        )
    )
union all
select
    tiers.customer_id,
    'interactions absent but the lead intent is rated' as problem
from tiers
cross join present
where not present.interactions
    and (
        (
            tiers.lead_intent_code <> 'UNRATED'
            and not list_contains(tiers.pinned, 'lead_intent')
        )
    )
union all
select
    tiers.customer_id,
    'leads absent but the lead quality or pipeline stage is rated' as problem
from tiers
cross join present
where not present.leads
    and (
        (
            tiers.lead_quality_code <> 'UNRATED'
            and not list_contains(tiers.pinned, 'lead_quality')
        )
        or (
            tiers.pipeline_stage_code <> 'UNRATED'
            and not list_contains(tiers.pinned, 'pipeline_stage')
        )
    )
