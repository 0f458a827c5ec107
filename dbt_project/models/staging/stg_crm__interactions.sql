-- One row per customer contact: survey, complaint, referral, call or visit.
-- No dedup here: raw is one row per key (the ingest keeps the first delivered row of
-- a key, quarantines conflicting ones and counts exact duplicates).
with

source as (

    select * from {{ source('raw', 'interactions') }}

),

renamed as (

    select
        -- ids
        md5(concat_ws(
            '|', customer_id, cast(interaction_ts as string), interaction_type
        )) as interaction_key,
        cast(customer_id as string) as customer_id,

        -- timestamps
        cast(interaction_ts as timestamp) as interaction_ts,
        cast(interaction_ts as date) as interaction_date,

        -- codes
        cast(interaction_type as string) as interaction_type,
        cast(call_outcome as string) as call_outcome,

        -- outcomes
        cast(satisfaction_score as integer) as satisfaction_score,
        cast(complaint_resolved as boolean) as complaint_resolved,
        {{ mask_identifiers('notes') }} as notes,

        -- lineage
        cast(_source_file as string) as _source_file,
        cast(_source_row as bigint) as _source_row

    from source

)

select * from renamed
