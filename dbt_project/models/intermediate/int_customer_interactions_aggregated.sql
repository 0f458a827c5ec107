-- Per spine customer, the contacts of the trailing window
-- (interaction_date in (as_of - 12 months, as_of], length from seed rule_parameters).
-- A complaint counts as unresolved unless complaint_resolved is true.
with

spine as (

    select customer_id from {{ ref('int_customers_filtered') }}

),

interactions as (

    select * from {{ ref('stg_crm__interactions') }}

),

windows as (

    select
        {{ as_of_date() }} as as_of_date,
        cast(
            {{ as_of_date() }}
            - {{ months_interval(
                "cast(" ~ rule_parameter('trailing_window_months') ~ " as integer)"
            ) }}
            as date
        ) as trailing_window_after

),

windowed as (

    select interactions.*
    from interactions
    cross join windows
    where interactions.interaction_date > windows.trailing_window_after
        and interactions.interaction_date <= windows.as_of_date

),

aggregated as (

    select
        customer_id,
        count(*) as interaction_count_12m,
        count(case when interaction_type = 'survey' then satisfaction_score end)
            as survey_count_12m,
        -- the mean as an exact decimal (macro decimal_ratio), not avg() (DOUBLE)
        {{ decimal_ratio(
            "sum(case when interaction_type = 'survey' then satisfaction_score end)",
            "count(case when interaction_type = 'survey' then satisfaction_score end)",
            input_scale=0,
        ) }} as avg_satisfaction,
        count(case when interaction_type = 'complaint' then 1 end) as complaint_count,
        count(case
            when interaction_type = 'complaint' and complaint_resolved is not true then 1
        end) as unresolved_complaint_count,
        count(case when interaction_type = 'referral' then 1 end) as referral_count
    from windowed
    group by customer_id

),

final as (

    select
        spine.customer_id,
        cast(coalesce(aggregated.interaction_count_12m, 0) as integer) as interaction_count_12m,
        coalesce(aggregated.interaction_count_12m, 0) > 0 as has_interactions,
        cast(coalesce(aggregated.survey_count_12m, 0) as integer) as survey_count_12m,
        cast(aggregated.avg_satisfaction as decimal(5, 2)) as avg_satisfaction,
        cast(coalesce(aggregated.complaint_count, 0) as integer) as complaint_count,
        cast(coalesce(aggregated.unresolved_complaint_count, 0) as integer)
            as unresolved_complaint_count,
        cast(coalesce(aggregated.referral_count, 0) as integer) as referral_count
    from spine
    left join aggregated
        on spine.customer_id = aggregated.customer_id

)

select * from final
