-- One row per customer and capture date: a sales lead assessment (quality factors,
-- need and expected close).
-- No dedup here: raw is one row per key (the ingest keeps the first delivered row of
-- a key, quarantines conflicting ones and counts exact duplicates).
with

source as (

    select * from {{ source('raw', 'leads') }}

),

renamed as (

    select
        -- ids
        md5(concat_ws('|', customer_id, cast(captured_date as string))) as lead_key,
        cast(customer_id as string) as customer_id,

        -- dates
        cast(captured_date as date) as captured_date,
        cast(expected_close_date as date) as expected_close_date,

        -- codes
        cast(lead_source as string) as lead_source,
        cast(need_status as string) as need_status,

        -- quality factors
        cast(is_same_type as boolean) as is_same_type,
        cast(capital_amount as decimal(18, 2)) as capital_amount,
        cast(has_local_relations as boolean) as has_local_relations,
        cast(main_product_is_ours as boolean) as main_product_is_ours,
        cast(prior_investment_amount as decimal(18, 2)) as prior_investment_amount,
        cast(recognition_score as integer) as recognition_score,

        -- lineage
        cast(_source_file as string) as _source_file,
        cast(_source_row as bigint) as _source_row

    from source

)

select * from renamed
