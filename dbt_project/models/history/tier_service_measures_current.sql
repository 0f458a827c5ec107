-- Per spine customer with some, the service measures (seed service_measures) of this
-- run's tiers (tier_ratings_current), in display order (one per scheme: a customer has
-- one tier per scheme).
--
-- A table of its own, not a CTE of customer_tiers: joined there as a CTE, its long
-- texts per customer were built in the same DuckDB pipeline as the dozen tier tables
-- of the wide row, and at 1M customers that query ran out of its memory limit (3 GiB);
-- read from a table, the wide row's joins fit (tests/benchmarks/RESULTS.md).
with

measures as (

    select * from {{ ref('service_measures') }}

)

select
    ratings.customer_id,
    string_agg(measures.measures_zh, '；' order by measures.display_order) as measures_zh,
    string_agg(measures.measures_en, '; ' order by measures.display_order) as measures_en
from {{ ref('tier_ratings_current') }} as ratings
inner join measures
    on ratings.scheme = measures.scheme
        and ratings.tier_code = measures.tier_code
group by ratings.customer_id
