{{
    config(
        materialized='incremental',
        incremental_strategy=(
            'insert_overwrite' if target.type == 'spark' else 'delete+insert'),
        unique_key='rating_month',
        partition_by=(['rating_month'] if target.type == 'spark' else none),
        on_schema_change='append_new_columns',
        full_refresh=false,
    )
}}
-- The monthly rating history: one row per customer, rating month and scheme, carried
-- from run to run (incremental). Several runs within one calendar month are ONE
-- monthly rating: the run with the latest as-of date of the month wins, and a run
-- replaces its whole month at once (delete+insert on rating_month; on Spark an
-- overwrite of the month's partition), so re-running
-- an as-of date is idempotent and a customer who left the spine leaves the month.
-- A run for an EARLIER date of a month that already holds a later date's rating
-- writes nothing (it would not be the month's latest rating). So the table depends
-- only on the set of as-of dates processed, not on their order or on how often they
-- ran: a backfill over month-ends gives the same rows as nightly runs. The lineage
-- columns _invocation_id and _loaded_at are the only run-dependent values.
-- A manual override is stored like any rating (the tier published that month), with
-- is_override, the computed tier and the override beside it; a warehouse of an
-- earlier version gets these columns appended (on_schema_change), NULL on its old
-- rows, which tier_ratings_visible reads as computed ratings.
-- full_refresh=false: `dbt build --full-refresh` must not wipe the rating history
-- (drop history.tier_monthly_ratings by hand to start over).
with

current_ratings as (

    select * from {{ ref('tier_ratings_current') }}

){% if is_incremental() %},

later_rating_of_the_month as (

    select count(*) > 0 as exists_later
    from {{ this }}
    where rating_month = cast(date_trunc('month', {{ as_of_date() }}) as date)
        and rated_as_of_date > {{ as_of_date() }}

){% endif %}

select
    current_ratings.customer_id,
    current_ratings.rating_month,
    current_ratings.scheme,
    current_ratings.tier_code,
    current_ratings.tier_rank,
    current_ratings.tier_label_zh,
    current_ratings.tier_label_en,
    current_ratings.rule_version,
    current_ratings.rated_as_of_date,
    current_ratings.is_override,
    current_ratings.computed_tier_code,
    current_ratings.computed_tier_rank,
    current_ratings.computed_tier_label_zh,
    current_ratings.computed_tier_label_en,
    current_ratings.override_id,
    current_ratings.override_reason,
    current_ratings.override_approved_by,
    cast('{{ invocation_id }}' as string) as _invocation_id,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as _loaded_at
from current_ratings
{% if is_incremental() -%}
cross join later_rating_of_the_month
where not later_rating_of_the_month.exists_later
{%- endif %}
