-- One row per manual tier override: a relationship manager or risk officer pins a
-- customer's tier of one scheme, with the reason, who approved it and its validity.
-- The free text (reason, approver) is masked like interaction notes: national IDs
-- and mobile numbers typed into it become [ID] / [PHONE].
-- No dedup here: raw is one row per key (the ingest keeps the first delivered row of
-- a key, quarantines conflicting ones and counts exact duplicates); unknown schemes,
-- codes that are not codes of the scheme and periods that end before they start are
-- in quarantine.overrides.
with

source as (

    select * from {{ source('raw', 'overrides') }}

),

renamed as (

    select
        -- ids
        cast(override_id as string) as override_id,
        cast(customer_id as string) as customer_id,

        -- codes
        cast(scheme as string) as scheme,
        cast(tier_code as string) as tier_code,

        -- who and why
        {{ mask_identifiers('override_reason') }} as override_reason,
        {{ mask_identifiers('approved_by') }} as approved_by,

        -- validity
        cast(valid_from as date) as valid_from,
        cast(valid_until as date) as valid_until,

        -- lineage
        cast(_source_file as string) as _source_file,
        cast(_source_row as bigint) as _source_row

    from source

)

select * from renamed
