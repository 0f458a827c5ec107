-- One row per landing source: was a file delivered in the last ingest run. The tier
-- models read it (macro source_present) to rate a tier UNRATED when its optional
-- source is absent, instead of reading an empty raw table as zero figures.
with

manifest as (

    select * from {{ ref('stg_ingest__source_manifest') }}

),

final as (

    select
        source_name,
        coalesce(is_present, false) as is_present
    from manifest

)

select * from final
