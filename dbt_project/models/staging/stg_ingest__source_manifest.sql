-- One row per landing source: was a file delivered in the last ingest run, and the
-- row counts (raw.source_manifest has source as primary key). int_source_availability
-- passes is_present on to the tiers, which say UNRATED when their source is absent.
with

source as (

    select * from {{ source('raw', 'source_manifest') }}

),

renamed as (

    select
        -- ids
        cast(source as string) as source_name,
        cast(run_id as string) as run_id,

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

    from source

)

select * from renamed
