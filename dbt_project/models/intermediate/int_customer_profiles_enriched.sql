-- Per spine customer, the profile attributes the risk, education, region and
-- scorecard tiers read, with the ages as of the as-of date:
--   age_years    = complete years from birth_date to as_of (NULL without a birth date)
--   tenure_years = complete years from onboarded_date to as_of (NULL without a date)
with

spine as (

    select
        customer_id,
        as_of_date
    from {{ ref('int_customers_filtered') }}

),

customers as (

    select * from {{ ref('stg_core__customers') }}

),

enriched as (

    select
        spine.customer_id,
        customers.customer_type,
        cast({{ complete_years('customers.birth_date', 'spine.as_of_date') }} as integer)
            as age_years,
        customers.education_level,
        customers.occupation,
        customers.occupation_risk_class,
        customers.industry,
        customers.province,
        customers.city,
        customers.onboarded_date,
        cast({{ complete_years('customers.onboarded_date', 'spine.as_of_date') }} as integer)
            as tenure_years
    from spine
    inner join customers
        on spine.customer_id = customers.customer_id

)

select * from enriched
