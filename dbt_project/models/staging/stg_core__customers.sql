-- One row per customer. Class A columns (full_name, national_id, phone) arrive as
-- HMAC tokens: ingest tokenised them and put the clear values in the vault.
-- No dedup here: raw is one row per key (the ingest keeps the first delivered row of
-- a key, quarantines conflicting ones and counts exact duplicates).
with

source as (

    select * from {{ source('raw', 'customers') }}

),

renamed as (

    select
        -- ids
        cast(customer_id as string) as customer_id,

        -- class A, tokenised at ingest
        cast(full_name_token as string) as full_name_token,
        cast(national_id_token as string) as national_id_token,
        cast(phone_token as string) as phone_token,

        -- attributes
        cast(customer_type as string) as customer_type,
        cast(birth_date as date) as birth_date,
        cast(gender as string) as gender,
        cast(education_level as string) as education_level,
        cast(occupation as string) as occupation,
        cast(occupation_risk_class as integer) as occupation_risk_class,
        cast(industry as string) as industry,
        cast(province as string) as province,
        cast(city as string) as city,

        -- business facts of a company (corporate credit rule; NULL for individuals)
        cast(registered_capital as decimal(18, 2)) as registered_capital,
        cast(annual_revenue as decimal(18, 2)) as annual_revenue,
        cast(market_position as string) as market_position,
        cast(years_in_business as integer) as years_in_business,

        -- dates
        cast(onboarded_date as date) as onboarded_date,

        -- lineage
        cast(_source_file as string) as _source_file,
        cast(_source_row as bigint) as _source_row

    from source

)

select * from renamed
