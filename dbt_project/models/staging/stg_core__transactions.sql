{{ config(materialized='view') }}
-- One row per transaction. amount is non-negative; transaction_type gives the
-- direction. transaction_date is the business date (timestamps are Asia/Shanghai).
-- No dedup here: raw is one row per key (the ingest keeps the first delivered row of
-- a key, quarantines conflicting ones and counts exact duplicates).
-- A view, unlike the other staging models: the raw rows are typed already and hold
-- no class A value (nothing to hash once), and a table would copy the largest table
-- of the warehouse every night for its one reader (int_customer_transactions_aggregated)
-- and its tests. The view names its input as warehouse.raw.transactions: it works on
-- connections that attach the warehouse as `warehouse`, as the job and dbt do.
with

source as (

    select * from {{ source('raw', 'transactions') }}

),

renamed as (

    select
        -- ids
        cast(transaction_id as string) as transaction_id,
        cast(customer_id as string) as customer_id,

        -- timestamps
        cast(transaction_ts as timestamp) as transaction_ts,
        cast(transaction_ts as date) as transaction_date,

        -- codes
        cast(transaction_type as string) as transaction_type,
        -- the landing contract's default currency
        cast(coalesce(currency, 'CNY') as string) as currency,
        cast(channel as string) as channel,
        cast(product_line as string) as product_line,

        -- amounts
        cast(amount as decimal(18, 2)) as amount,

        -- lineage
        cast(_source_file as string) as _source_file,
        cast(_source_row as bigint) as _source_row

    from source

)

select * from renamed
