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
        -- ',scheme,scheme,': a scheme is pinned when ',<scheme>,' is in it
        ',' || coalesce(overridden_schemes, '') || ',' as pinned
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
            and instr(tiers.pinned, ',star_level,') = 0
        )
        or (
            tiers.card_tier_code <> 'UNRATED'
            and instr(tiers.pinned, ',card_tier,') = 0
        )
        or (
            tiers.effective_star_level_code <> 'UNRATED'
            and instr(tiers.pinned, ',effective_star_level,') = 0
        )
        or (
            tiers.effective_card_tier_code <> 'UNRATED'
            and instr(tiers.pinned, ',effective_card_tier,') = 0
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
            and instr(tiers.pinned, ',credit_grade,') = 0
        )
        or (
            tiers.credit_status_code <> 'UNRATED'
            and instr(tiers.pinned, ',credit_status,') = 0
        )
        or (
            tiers.repayment_capacity_code <> 'UNRATED'
            and instr(tiers.pinned, ',repayment_capacity,') = 0
        )
        or (
            tiers.collateral_code <> 'UNRATED'
            and instr(tiers.pinned, ',collateral,') = 0
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
            and instr(tiers.pinned, ',lead_intent,') = 0
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
            and instr(tiers.pinned, ',lead_quality,') = 0
        )
        or (
            tiers.pipeline_stage_code <> 'UNRATED'
            and instr(tiers.pinned, ',pipeline_stage,') = 0
        )
    )
