{{ config(meta={'dagster': {'ref': {'name': 'customer_tiers'}}}) }}
-- customer_tiers never hides a missing source: when int_source_availability says an
-- optional source was not delivered, every tier that needs it reads UNRATED (the
-- NOT NULL constraints of the contract already rule out a missing tier).
--   balances       -> star level and card tier, computed and effective
--   credit_reports -> credit grade, credit status, repayment capacity, collateral
--   interactions   -> lead intent
--   leads          -> lead quality and pipeline stage
with

present as (

    select
        {{ source_present('balances') }} as balances,
        {{ source_present('credit_reports') }} as credit_reports,
        {{ source_present('interactions') }} as interactions,
        {{ source_present('leads') }} as leads

),

tiers as (

    select * from {{ ref('customer_tiers') }}

)

select
    tiers.customer_id,
    'balances absent but a star level or card tier is rated' as problem
from tiers
cross join present
where not present.balances
    and (
        tiers.star_level_code <> 'UNRATED'
        or tiers.card_tier_code <> 'UNRATED'
        or tiers.effective_star_level_code <> 'UNRATED'
        or tiers.effective_card_tier_code <> 'UNRATED'
    )
union all
select
    tiers.customer_id,
    'credit_reports absent but the credit grade is rated' as problem
from tiers
cross join present
where not present.credit_reports
    and (
        tiers.credit_grade_code <> 'UNRATED'
        or tiers.credit_status_code <> 'UNRATED'
        or tiers.repayment_capacity_code <> 'UNRATED'
        or tiers.collateral_code <> 'UNRATED'
    )
union all
select
    tiers.customer_id,
    'interactions absent but the lead intent is rated' as problem
from tiers
cross join present
where not present.interactions and tiers.lead_intent_code <> 'UNRATED'
union all
select
    tiers.customer_id,
    'leads absent but the lead quality or pipeline stage is rated' as problem
from tiers
cross join present
where not present.leads
    and (tiers.lead_quality_code <> 'UNRATED' or tiers.pipeline_stage_code <> 'UNRATED')
