-- What each rule version stands for: per published table that carries rule_version,
-- the version it is rated with now and every seed behind it (the seeds the table reads
-- directly or through the models it is built on) with dbt's checksum of the seed.
-- The history keeps the version of each monthly rating (tier_monthly_ratings), so a
-- tier change that comes with a new version is told apart from one the customer
-- caused (tier_migration.rules_changed, customer_tier_history.rules_changed).
{%- set rows = tier_rule_version_rows() %}
with

versions as (

    {%- if rows %}
    select
        listed.table_name,
        listed.rule_version,
        listed.seed_name,
        listed.seed_sha256
    from (
        values
        {{ rows | join(',\n        ') }}
    ) as listed (table_name, rule_version, seed_name, seed_sha256)
    {%- else %}
    select
        cast(null as string) as table_name,
        cast(null as string) as rule_version,
        cast(null as string) as seed_name,
        cast(null as string) as seed_sha256
    where false
    {%- endif %}

),

final as (

    select
        versions.*,
        {{ as_of_date() }} as as_of_date
    from versions

)

{{ contract_select('final') }}
