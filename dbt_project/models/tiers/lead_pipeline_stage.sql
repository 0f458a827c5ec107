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

spine as (

    select customer_id, as_of_date from {{ ref('int_customers_filtered') }}

),

leads as (

    select * from {{ ref('int_customer_leads_assessed') }}

),

leads_source as (

    select coalesce(bool_or(is_present), false) as leads_present
    from {{ ref('stg_ingest__source_manifest') }}
    where source_name = 'leads'

),

unrated as (

    select * from {{ ref('tier_status_labels') }}
    where scheme = 'pipeline_stage'

),

rule_version as (

    select max(rule_version) as rule_version from {{ ref('pipeline_stage_bands') }}

),

inputs as (

    select
        spine.customer_id,
        spine.as_of_date,
        leads_source.leads_present and leads.customer_id is not null as has_lead,
        leads.captured_date,
        leads.need_status,
        leads.expected_close_date,
        leads.months_to_close,
        needs.label_zh as need_status_zh,
        needs.label_en as need_status_en,
        needs.stage_override_code,
        needs.stage_override_rank,
        needs.stage_override_zh,
        needs.stage_override_en
    from spine
    cross join leads_source
    left join leads
        on spine.customer_id = leads.customer_id
        and leads_source.leads_present
    left join {{ ref('lead_need_statuses') }} as needs
        on leads.need_status = needs.need_status

),

staged as (

    select
        inputs.*,
        inputs.has_lead and inputs.stage_override_code is null as by_close_date,
        band.tier_code as band_code,
        band.tier_rank as band_rank,
        band.label_zh as band_zh,
        band.label_en as band_en,
        {{ band_reason('zh', '距预计成交月数', 'inputs.months_to_close', 'band') }}
            as band_reason_zh,
        {{ band_reason('en', 'Months to the expected close', 'inputs.months_to_close', 'band',
                       verb='fall') }} as band_reason_en,
        {{ band_distance('inputs.months_to_close', 'next_band') }} as band_distance
    from inputs
    {{ band_join(
        'pipeline_stage_bands', 'band', 'inputs.months_to_close',
        condition='inputs.has_lead and inputs.stage_override_code is null'
    ) }}
    {{ next_band_join('pipeline_stage_bands', 'next_band', 'band') }}

),

final as (

    select
        cast(staged.customer_id as varchar) as customer_id,
        cast(staged.as_of_date as date) as as_of_date,
        cast(case
            when not staged.has_lead then unrated.tier_code
            when staged.by_close_date then staged.band_code
            else staged.stage_override_code
        end as varchar) as tier_code,
        cast(case
            when not staged.has_lead then unrated.tier_rank
            when staged.by_close_date then staged.band_rank
            else staged.stage_override_rank
        end as integer) as tier_rank,
        cast(case
            when not staged.has_lead then unrated.label_zh
            when staged.by_close_date then staged.band_zh
            else staged.stage_override_zh
        end as varchar) as tier_label_zh,
        cast(case
            when not staged.has_lead then unrated.label_en
            when staged.by_close_date then staged.band_en
            else staged.stage_override_en
        end as varchar) as tier_label_en,
        cast(staged.captured_date as date) as lead_captured_date,
        cast(staged.need_status as varchar) as need_status,
        cast(staged.need_status_zh as varchar) as need_status_zh,
        cast(staged.need_status_en as varchar) as need_status_en,
        cast(staged.expected_close_date as date) as expected_close_date,
        cast(staged.months_to_close as integer) as months_to_close,
        cast(rule_version.rule_version as varchar) as rule_version,
        cast(case
            when not staged.has_lead then unrated.reason_zh
            when staged.by_close_date then staged.band_reason_zh
            else '需求状态：' || staged.need_status_zh || ' → ' || staged.stage_override_zh
        end as varchar) as reason_zh,
        cast(case
            when not staged.has_lead then unrated.reason_en
            when staged.by_close_date then staged.band_reason_en
            else 'Need status: ' || staged.need_status_en || ' -> ' || staged.stage_override_en
        end as varchar) as reason_en,
        cast(case when staged.by_close_date then staged.band_distance end as decimal(18, 2))
            as distance_to_next_tier
    from staged
    cross join unrated
    cross join rule_version

)

select * from final
