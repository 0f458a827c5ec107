-- One row per customer, month, account and product type: the month's average
-- daily balance (financial assets; transaction flow is not an asset).
-- No dedup here: raw is one row per key (the ingest keeps the first delivered row of
-- a key, quarantines conflicting ones and counts exact duplicates).
with

source as (

    select * from {{ source('raw', 'balances') }}

),

renamed as (

    select
        -- ids: the source key has nullable parts, so a surrogate key makes it testable
        md5(concat_ws(
            '|',
            customer_id,
            month,
            coalesce(account_id, '<none>'),
            coalesce(product_type, '<none>')
        )) as balance_key,
        cast(customer_id as string) as customer_id,
        cast(account_id as string) as account_id,

        -- dates
        cast(month as string) as balance_month,
        cast(month || '-01' as date) as balance_month_start,

        -- codes
        cast(product_type as string) as product_type,

        -- amounts
        cast(avg_daily_balance as decimal(18, 2)) as avg_daily_balance,

        -- lineage
        cast(_source_file as string) as _source_file,
        cast(_source_row as bigint) as _source_row

    from source

)

select * from renamed
