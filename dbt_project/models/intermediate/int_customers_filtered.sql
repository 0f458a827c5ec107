-- The customer spine: every customer known on the as-of date (onboarded on or
-- before it, or with no onboarding date). Every tier table has one row per spine
-- customer.
with

customers as (

    select * from {{ ref('stg_core__customers') }}

),

filtered as (

    select
        customer_id,
        customer_type,
        onboarded_date,
        {{ as_of_date() }} as as_of_date
    from customers
    where onboarded_date is null
        or onboarded_date <= {{ as_of_date() }}

)

select * from filtered
