-- Per spine customer with some, the service measures (seed service_measures) of this
-- run's tiers (tier_ratings_current), in display order (one per scheme: a customer has
-- one tier per scheme).
--
-- A table of its own, not a CTE of customer_tiers: joined there as a CTE, its long
-- texts per customer were built in the same DuckDB pipeline as the dozen tier tables
-- of the wide row, and at 1M customers that query ran out of its memory limit (3 GiB).
-- The texts are not aggregated per customer either: aggregating them over 1M customers
-- also ran out of 3 GiB (tests/benchmarks/RESULTS.md). Each customer gets the list of
-- its measures' numbers; the few distinct lists get their texts; the customers join
-- them.
with

measures as (

    select
        *,
        row_number() over (order by display_order, scheme, tier_code) as measure_number
    from {{ ref('service_measures') }}

),

customer_measures as (

    select
        ratings.customer_id,
        {{ sorted_list('measures.measure_number') }} as measure_numbers
    from {{ ref('tier_ratings_current') }} as ratings
    inner join measures
        on
            ratings.scheme = measures.scheme
            and ratings.tier_code = measures.tier_code
    group by ratings.customer_id

),

combinations as (

    select distinct
        measure_numbers,
        {{ unnest_list('measure_numbers') }} as measure_number
    from customer_measures

),

combination_texts as (

    select
        combinations.measure_numbers,
        {{ ordered_string_agg(
            'measures.measures_zh',
            "'；'",
            'measures.measure_number'
        ) }} as measures_zh,
        {{ ordered_string_agg(
            'measures.measures_en',
            "'; '",
            'measures.measure_number'
        ) }} as measures_en
    from combinations
    inner join measures
        on combinations.measure_number = measures.measure_number
    group by combinations.measure_numbers

)

select
    customer_measures.customer_id,
    combination_texts.measures_zh,
    combination_texts.measures_en
from customer_measures
inner join combination_texts
    on customer_measures.measure_numbers = combination_texts.measure_numbers
