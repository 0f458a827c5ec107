-- Per spine customer with a lead, the latest lead assessment captured on or before
-- the as-of date, with
--   months_to_close = the least whole number of months m >= 0 such that
--                     expected_close_date <= as_of + m months (0 when the date has
--                     passed; NULL without a date). So "A <= 1 month" means a close
--                     on or before as_of + 1 calendar month.
--   days_past_close = days since an expected close date before as_of (NULL when the
--                     date is as_of or later, or missing): a passed date is staged
--                     by it, never by months_to_close (lead_pipeline_stage).
--   quality_score   = 100-scale weighted mean of the factor points (seeds
--                     factor_bands / factor_weights, scheme lead_quality) over the
--                     factors that are known; booleans band as 1 (yes) / 0 (no).
{#- calendar-month boundaries from the as-of date to the expected close date -#}
{%- set to_close = months_crossed(as_of_date(), 'latest.expected_close_date') %}

with

spine as (

    select customer_id from {{ ref('int_customers_filtered') }}

),

latest as (

    select *
    from {{ ref('stg_crm__leads') }}
    where captured_date <= {{ as_of_date() }}
    qualify row_number() over (partition by customer_id order by captured_date desc) = 1

),

factors as (

    select
        customer_id,
        'capital_amount' as factor,
        cast(capital_amount as decimal(18, 4)) as factor_value
    from latest
    union all
    select
        customer_id,
        'has_local_relations' as factor,
        cast(
            case when has_local_relations then 1 when not has_local_relations then 0 end
            as decimal(18, 4)
        ) as factor_value
    from latest
    union all
    select
        customer_id,
        'main_product_is_ours' as factor,
        cast(
            case when main_product_is_ours then 1 when not main_product_is_ours then 0 end
            as decimal(18, 4)
        ) as factor_value
    from latest
    union all
    select
        customer_id,
        'prior_investment_amount' as factor,
        cast(prior_investment_amount as decimal(18, 4)) as factor_value
    from latest
    union all
    select
        customer_id,
        'recognition_score' as factor,
        cast(recognition_score as decimal(18, 4)) as factor_value
    from latest

),

factor_points as (

    select
        factors.customer_id,
        factors.factor,
        band.points,
        weights.weight
    from factors
    inner join {{ ref('factor_bands') }} as band
        on band.scheme = 'lead_quality'
            and factors.factor = band.factor
            and {{ band_match('factors.factor_value', 'band') }}
    inner join {{ ref('factor_weights') }} as weights
        on weights.scheme = 'lead_quality'
            and factors.factor = weights.factor

),

scored as (

    select
        customer_id,
        -- exact decimal mean (macro decimal_ratio), never a DOUBLE division
        cast(
            {{ decimal_ratio('sum(weight * points)', 'sum(weight)', input_scale=8) }}
            as decimal(5, 2)
        ) as quality_score,
        count(*) as quality_factors_known
    from factor_points
    group by customer_id

),

final as (

    select
        latest.customer_id,
        latest.captured_date,
        latest.lead_source,
        latest.need_status,
        latest.expected_close_date,
        cast(case
            when latest.expected_close_date is null then null
            when latest.expected_close_date <= {{ as_of_date() }} then 0
            when cast({{ as_of_date() }} + {{ months_interval(to_close) }} as date)
                >= latest.expected_close_date
                then {{ to_close }}
            else {{ to_close }} + 1
        end as integer) as months_to_close,
        cast(case
            when latest.expected_close_date < {{ as_of_date() }}
                then {{ days_between('latest.expected_close_date', as_of_date()) }}
        end as integer) as days_past_close,
        latest.is_same_type,
        latest.capital_amount,
        latest.has_local_relations,
        latest.main_product_is_ours,
        latest.prior_investment_amount,
        latest.recognition_score,
        scored.quality_score,
        cast(coalesce(scored.quality_factors_known, 0) as integer) as quality_factors_known
    from latest
    inner join spine
        on latest.customer_id = spine.customer_id
    left join scored
        on latest.customer_id = scored.customer_id

)

select * from final
