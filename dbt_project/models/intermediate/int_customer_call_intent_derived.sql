-- Lead intent level (客户意向度 1-6) per spine customer from the calls
-- (interaction_type = 'call' with a call_outcome) with interaction_date in
-- (as_of - 12 months, as_of] (seed rule_parameters lead_call_window_months).
-- Each outcome's level and whether the person was reached come from seed
-- call_outcomes. Which call decides:
--   1. the latest connected call C (is_connected) sets the level (3-6) ...
--   2. ... unless the attempts after C (all of them when there is no C; they are
--      all unreached) hold an invalid_number followed by another attempt: the
--      number is invalid and a second call still did not get through -> level 1
--      (intent_level of invalid_number), decided by the latest attempt;
--   3. no connected call and no confirmed invalid number: the latest attempt's
--      unconfirmed_intent_level, i.e. level 2 "call again" - also for a single
--      invalid_number not yet re-dialled.
-- No call in the window: all NULL (the mart says UNRATED).
with

spine as (

    select customer_id from {{ ref('int_customers_filtered') }}

),

outcomes as (

    select * from {{ ref('call_outcomes') }}

),

calls as (

    select
        interactions.customer_id,
        interactions.interaction_ts,
        interactions.interaction_date,
        interactions.call_outcome,
        outcomes.is_connected,
        outcomes.intent_level,
        outcomes.unconfirmed_intent_level
    from {{ ref('stg_crm__interactions') }} as interactions
    inner join outcomes
        on interactions.call_outcome = outcomes.call_outcome
    where interactions.interaction_type = 'call'
        and interactions.interaction_date <= {{ as_of_date() }}
        and interactions.interaction_date > cast(
            {{ as_of_date() }}
            - {{ months_interval(
                "cast(" ~ rule_parameter('lead_call_window_months') ~ " as integer)"
            ) }}
            as date
        )

),

last_connected as (

    select *
    from calls
    where is_connected
    qualify row_number() over (partition by customer_id order by interaction_ts desc) = 1

),

attempts_after as (

    -- the unreached attempts after the latest connected call (all calls without one)
    select calls.*
    from calls
    left join last_connected
        on calls.customer_id = last_connected.customer_id
    where last_connected.customer_id is null
        or calls.interaction_ts > last_connected.interaction_ts

),

invalid_confirmation as (

    select
        customer_id,
        min(case when call_outcome = 'invalid_number' then interaction_ts end)
            as first_invalid_ts,
        max(interaction_ts) as last_attempt_ts
    from attempts_after
    group by customer_id

),

latest_call as (

    select *
    from calls
    qualify row_number() over (partition by customer_id order by interaction_ts desc) = 1

),

counts as (

    select
        customer_id,
        count(*) as call_count,
        count(case when is_connected then 1 end) as connected_call_count
    from calls
    group by customer_id

),

derived as (

    select
        spine.customer_id,
        coalesce(counts.call_count, 0) as call_count,
        coalesce(counts.connected_call_count, 0) as connected_call_count,
        latest_call.interaction_date as last_call_date,
        coalesce(
            invalid_confirmation.first_invalid_ts < invalid_confirmation.last_attempt_ts, false
        ) as invalid_number_confirmed,
        last_connected.interaction_date as last_connected_call_date,
        last_connected.call_outcome as last_connected_outcome,
        last_connected.intent_level as last_connected_level,
        latest_call.call_outcome as latest_outcome,
        latest_call.unconfirmed_intent_level as latest_unconfirmed_level
    from spine
    left join counts
        on spine.customer_id = counts.customer_id
    left join latest_call
        on spine.customer_id = latest_call.customer_id
    left join last_connected
        on spine.customer_id = last_connected.customer_id
    left join invalid_confirmation
        on spine.customer_id = invalid_confirmation.customer_id

),

final as (

    select
        derived.customer_id,
        cast(derived.call_count as integer) as call_count_12m,
        cast(derived.connected_call_count as integer) as connected_call_count_12m,
        derived.last_call_date,
        derived.last_connected_call_date,
        derived.invalid_number_confirmed,
        case
            when derived.invalid_number_confirmed then derived.last_call_date
            when derived.last_connected_outcome is not null then derived.last_connected_call_date
            else derived.last_call_date
        end as deciding_call_date,
        case
            when derived.invalid_number_confirmed then derived.latest_outcome
            when derived.last_connected_outcome is not null then derived.last_connected_outcome
            else derived.latest_outcome
        end as deciding_call_outcome,
        cast(case
            when derived.invalid_number_confirmed then invalid.intent_level
            when derived.last_connected_outcome is not null then derived.last_connected_level
            else derived.latest_unconfirmed_level
        end as integer) as intent_level
    from derived
    left join outcomes as invalid
        on invalid.call_outcome = 'invalid_number'

)

select * from final
