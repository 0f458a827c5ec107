-- One row per customer. Class A columns (full_name, national_id, phone) leave this
-- model only as keyed hash tokens; the clear values are never selected.
with

source as (

    select * from {{ source('raw', 'customers') }}

),

deduplicated as (

    -- raw is unique on customer_id (ingest quarantines conflicts); this only
    -- guarantees it, keeping the latest loaded row.
    select *
    from source
    qualify row_number() over (
        partition by customer_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

renamed as (

    select
        -- ids
        cast(customer_id as varchar) as customer_id,

        -- class A, tokenised
        {{ pii_token('full_name') }} as full_name_token,
        {{ pii_token('national_id') }} as national_id_token,
        {{ pii_token('phone') }} as phone_token,

        -- attributes
        cast(customer_type as varchar) as customer_type,
        cast(birth_date as date) as birth_date,
        cast(gender as varchar) as gender,
        cast(education_level as varchar) as education_level,
        cast(occupation as varchar) as occupation,
        cast(occupation_risk_class as integer) as occupation_risk_class,
        cast(industry as varchar) as industry,
        cast(province as varchar) as province,
        cast(city as varchar) as city,

        -- dates
        cast(onboarded_date as date) as onboarded_date,

        -- lineage
        cast(_source_file as varchar) as _source_file,
        cast(_source_row as bigint) as _source_row

    from deduplicated

)

select * from renamed
