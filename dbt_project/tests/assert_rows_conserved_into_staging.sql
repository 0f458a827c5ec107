{{ config(meta={'dagster': {'ref': {'name': 'stg_core__transactions'}}}) }}
-- Conservation of rows, per source and run: every row read is in staging, in
-- quarantine, or counted as an exact duplicate (raw.source_manifest holds the ingest's
-- counts). Returns the sources that do not reconcile.
{% set sources = {
    'customers': 'stg_core__customers',
    'transactions': 'stg_core__transactions',
    'balances': 'stg_core__balances',
    'credit_reports': 'stg_credit__reports',
    'interactions': 'stg_crm__interactions',
    'leads': 'stg_crm__leads',
    'overrides': 'stg_crm__overrides',
} %}

with

staged as (

    {% for source_name, model in sources.items() %}
    select
        '{{ source_name }}' as source_name,
        count(*) as staging_rows
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

manifest as (

    select * from {{ source('raw', 'source_manifest') }}

)

select
    staged.source_name,
    manifest.rows_read,
    staged.staging_rows,
    manifest.rows_quarantined,
    manifest.rows_duplicate
from staged
left join manifest on staged.source_name = manifest.source
where manifest.source is null
    or manifest.rows_read
    <> staged.staging_rows + manifest.rows_quarantined + manifest.rows_duplicate
