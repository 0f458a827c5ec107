-- The manual tier overrides in force on the as-of date: one row per customer and
-- scheme that an override pins. An override is in force from valid_from to
-- valid_until, both days included (valid_from <= as_of and, when it has an end,
-- as_of <= valid_until): it applies ON its valid_until and no longer the day after,
-- so an expired override stops applying by itself, and one that starts after the
-- as-of date (held back at ingest anyway) does not apply yet.
-- When several overrides of one customer and scheme are in force, one wins,
-- deterministically: the latest valid_from (the most recent decision), then the
-- highest override_id (compared as text); overrides_in_force counts them all, so
-- a superseded override stays visible.
with

overrides as (

    select * from {{ ref('stg_crm__overrides') }}

),

in_force as (

    select
        overrides.*,
        count(*) over (
            partition by overrides.customer_id, overrides.scheme
        ) as overrides_in_force
    from overrides
    where overrides.valid_from <= {{ as_of_date() }}
        and (overrides.valid_until is null or overrides.valid_until >= {{ as_of_date() }})

),

final as (

    select
        customer_id,
        scheme,
        override_id,
        tier_code,
        override_reason,
        approved_by,
        valid_from,
        valid_until,
        overrides_in_force,
        {{ as_of_date() }} as as_of_date
    from in_force
    qualify row_number() over (
            partition by customer_id, scheme
            order by valid_from desc, override_id desc
        ) = 1

)

select * from final
