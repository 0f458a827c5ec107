{{ config(meta={'dagster': {'ref': {'name': 'pipeline_stage_bands'}}}) }}
-- A stage forced by the need status (seed lead_need_statuses) that also exists as a
-- band (D) carries the band's rank and labels, so D reads the same either way.
select
    needs.need_status,
    needs.stage_override_code
from {{ ref('lead_need_statuses') }} as needs
inner join {{ ref('pipeline_stage_bands') }} as bands
    on needs.stage_override_code = bands.tier_code
where needs.stage_override_rank <> bands.tier_rank
    or needs.stage_override_zh <> bands.label_zh
    or needs.stage_override_en <> bands.label_en
