-- Customer layering (客户分层分级标准) A-E per spine customer with a lead, from the
-- latest lead assessment on or before the as-of date (int_customer_leads_assessed):
--   need_status none     -> E 无需求（死亡客户）          (seed lead_need_statuses)
--   need_status latent   -> D 潜在需求，whatever the date  (seed lead_need_statuses)
--   explicit (or unknown) need -> band of months_to_close (least m with expected
--     close <= as_of + m months; seed pipeline_stage_bands): A <= 1, B (1, 3],
--     C (3, 6], D > 6 - and D when there is no expected close date (matches_null).
-- UNRATED without an assessment or when leads were not delivered.
-- distance_to_next_tier = months the close must come forward to reach the next
-- stage (NULL for A, for the need-status stages D/E and when unrated).
with

features as (

    -- a lead of an absent source is ignored; the need status may force the stage
    select
        spine.customer_id,
        spine.as_of_date,
        leads.customer_id is not null as has_lead,
        leads.captured_date as lead_captured_date,
        leads.need_status,
        leads.expected_close_date,
        leads.months_to_close,
        needs.label_zh as need_status_zh,
        needs.label_en as need_status_en,
        needs.stage_override_code,
        needs.stage_override_rank,
        needs.stage_override_zh,
        needs.stage_override_en,
        '需求状态：' || needs.label_zh || ' → ' || needs.stage_override_zh
            as stage_override_reason_zh,
        'Need status: ' || needs.label_en || ' -> ' || needs.stage_override_en
            as stage_override_reason_en
    from {{ tier_spine(['leads']) }} as spine
    left join {{ ref('int_customer_leads_assessed') }} as leads
        on spine.customer_id = leads.customer_id
            and spine.leads_present
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
