-- Customer layering (客户分层分级标准) A-E per spine customer with a lead, from the
-- latest lead assessment on or before the as-of date (int_customer_leads_assessed):
--   need_status none     -> E 无需求或无成交机会（死亡客户） (seed lead_need_statuses)
--   need_status latent   -> D 潜在需求，whatever the date     (seed lead_need_statuses)
--   explicit (or unknown) need with an expected close date BEFORE as_of (passed):
--     never A/B/C - passed by at most rule_parameters.lead_close_grace_days days
--     -> D 需重新预测 (re-forecast needed), by more -> E 无成交机会 (no chance of a
--     deal) (seed lead_overdue_stages; rank and labels of the stage code)
--   explicit (or unknown) need otherwise -> band of months_to_close (least m with
--     expected close <= as_of + m months; seed pipeline_stage_bands): A <= 1,
--     B (1, 3], C (3, 6], D > 6 - and D when there is no expected close date
--     (matches_null).
-- UNRATED without an assessment or when leads were not delivered.
-- distance_to_next_tier = months the close must come forward to reach the next
-- stage (NULL for A, for the stages forced by the need status or a passed date, and
-- when unrated).
with

parameters as (

    select cast({{ rule_parameter('lead_close_grace_days') }} as integer) as grace_days

),

stage_codes as (

    -- every code of the scheme with its rank and labels (bands + need-status stages)
    {{ tier_codes_sql('pipeline_stage') }}

),

assessed as (

    -- the stage a passed close date forces (NULL when the date has not passed)
    select
        leads.*,
        overdue.label_zh as overdue_zh,
        overdue.label_en as overdue_en,
        overdue_stage.tier_code as overdue_stage_code,
        overdue_stage.tier_rank as overdue_stage_rank,
        overdue_stage.label_zh as overdue_stage_zh,
        overdue_stage.label_en as overdue_stage_en,
        parameters.grace_days
    from {{ ref('int_customer_leads_assessed') }} as leads
    cross join parameters
    left join {{ ref('lead_overdue_stages') }} as overdue
        on leads.days_past_close is not null
            and overdue.beyond_grace_period = (leads.days_past_close > parameters.grace_days)
    left join stage_codes as overdue_stage
        on overdue.stage_code = overdue_stage.tier_code
    -- none when the run's leads were absent; a filter here, not in the join below,
    -- keeps that join an equi-join
    where {{ source_present('leads') }}

),

features as (

    -- a lead of an absent source is ignored; the need status, else a passed close
    -- date, may force the stage
    select
        spine.customer_id,
        spine.as_of_date,
        leads.customer_id is not null as has_lead,
        leads.captured_date as lead_captured_date,
        leads.need_status,
        leads.expected_close_date,
        leads.months_to_close,
        leads.days_past_close,
        needs.label_zh as need_status_zh,
        needs.label_en as need_status_en,
        coalesce(needs.stage_override_code, leads.overdue_stage_code) as stage_override_code,
        coalesce(needs.stage_override_rank, leads.overdue_stage_rank) as stage_override_rank,
        coalesce(needs.stage_override_zh, leads.overdue_stage_zh) as stage_override_zh,
        coalesce(needs.stage_override_en, leads.overdue_stage_en) as stage_override_en,
        coalesce(
            '需求状态：' || needs.label_zh || ' → ' || needs.stage_override_zh,
            '预计成交日期 ' || cast(leads.expected_close_date as string) || ' 已过 '
            || leads.days_past_close || ' 天（宽限期 ' || leads.grace_days || ' 天）：'
            || leads.overdue_zh || ' → ' || leads.overdue_stage_zh
        ) as stage_override_reason_zh,
        coalesce(
            'Need status: ' || needs.label_en || ' -> ' || needs.stage_override_en,
            'Expected close date ' || cast(leads.expected_close_date as string)
            || ' passed ' || leads.days_past_close || ' days ago (grace period '
            || leads.grace_days || ' days): ' || leads.overdue_en || ' -> '
            || leads.overdue_stage_en
        ) as stage_override_reason_en
    from {{ tier_spine() }} as spine
    left join assessed as leads
        on spine.customer_id = leads.customer_id
    left join {{ ref('lead_need_statuses') }} as needs
        on leads.need_status = needs.need_status

),

{{ tier_model([{
    'scheme': 'pipeline_stage',
    'value': 'features.months_to_close',
    'when': 'features.has_lead',
    'measure_zh': '距预计成交月数',
    'measure_en': 'Months to the expected close',
    'verb': 'fall',
    'override': {
        'code': 'features.stage_override_code',
        'rank': 'features.stage_override_rank',
        'label_zh': 'features.stage_override_zh',
        'label_en': 'features.stage_override_en',
        'reason_zh': 'features.stage_override_reason_zh',
        'reason_en': 'features.stage_override_reason_en',
    },
}], features='features') }}
