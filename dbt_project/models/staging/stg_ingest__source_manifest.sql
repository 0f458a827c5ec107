-- One row per landing source: was a file delivered in the last ingest run, and the
-- row counts. Marts read is_present to say UNRATED for a tier whose source is absent.
with

source as (

    select * from {{ source('raw', 'source_manifest') }}

),

deduplicated as (

    -- one row per source is the contract; keep the latest load if runs pile up
    select *
    from source
    qualify row_number() over (
        partition by source
        order by loaded_at desc nulls last, run_id desc
    ) = 1

),

renamed as (

    select
        -- ids
        cast(source as varchar) as source_name,
        cast(run_id as varchar) as run_id,

        -- status
        cast(is_present as boolean) as is_present,

        -- counts
        cast(file_count as integer) as file_count,
        cast(rows_read as bigint) as rows_read,
        cast(rows_loaded as bigint) as rows_loaded,
        cast(rows_quarantined as bigint) as rows_quarantined,
        cast(rows_duplicate as bigint) as rows_duplicate,

        -- timestamps
        cast(loaded_at as timestamp) as loaded_at

    from deduplicated

)

select * from renamed
