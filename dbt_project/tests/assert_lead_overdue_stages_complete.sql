{{ config(meta={'dagster': {'ref': {'name': 'lead_overdue_stages'}}}) }}
-- Seed lead_overdue_stages has a row for a close date passed within the grace period
-- and one beyond it, each forcing a code of scheme pipeline_stage: a missing row or
-- an unknown code would leave a passed date to the month bands, i.e. stage A.
with

expected as (

    select grace.beyond_grace_period
    from (values (false), (true)) as grace (beyond_grace_period)

),

codes as (

    {{ tier_codes_sql('pipeline_stage') }}

)

select
    expected.beyond_grace_period,
    overdue.stage_code,
    case
        when overdue.beyond_grace_period is null then 'row missing'
        else 'stage_code is not a code of scheme pipeline_stage'
    end as problem
from expected
left join {{ ref('lead_overdue_stages') }} as overdue
    on expected.beyond_grace_period = overdue.beyond_grace_period
left join codes
    on overdue.stage_code = codes.tier_code
where codes.tier_code is null
