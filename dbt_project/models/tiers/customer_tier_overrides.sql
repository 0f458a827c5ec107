-- The manual tier overrides in force on the as-of date, one row per spine customer and
-- scheme an override pins (int_tier_overrides_resolved: valid_from <= as_of <=
-- valid_until, the latest valid_from then the highest override_id winning). The tier
-- kit (tier_select) reads it to publish the pinned tier in place of the computed one,
-- in every tier table and in customer_star_tier_effective, ranking and labelling the
-- code from the scheme's own codes; the history stores the pins of the effective
-- schemes from it. It reads no seed, so an override changes no table's rule_version.
with

overrides as (

    select * from {{ ref('int_tier_overrides_resolved') }}

),

final as (

    select
        spine.customer_id,
        spine.as_of_date,
        overrides.scheme,
        overrides.override_id,
        overrides.tier_code,
        overrides.override_reason,
        overrides.approved_by,
        overrides.valid_from,
        overrides.valid_until,
        overrides.overrides_in_force
    from {{ tier_spine() }} as spine
    inner join overrides
        on spine.customer_id = overrides.customer_id

)

{{ contract_select('final') }}
