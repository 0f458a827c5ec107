{#-
    A tier table has exactly one row per customer of the spine
    (int_customers_filtered), all for the run's as-of date: nobody is dropped by a
    join and nobody is added. Returns the offending customers.
-#}
{% test one_row_per_spine_customer(model, column_name='customer_id') %}

with

spine as (

    select customer_id from {{ ref('int_customers_filtered') }}

),

tier as (

    select {{ column_name }} as customer_id, as_of_date from {{ model }}

)

select
    coalesce(spine.customer_id, tier.customer_id) as customer_id,
    case
        when tier.customer_id is null then 'spine customer missing'
        when spine.customer_id is null then 'customer not in the spine'
        else 'as_of_date is not the as-of date of the run'
    end as problem
from spine
full outer join tier
    on spine.customer_id = tier.customer_id
where spine.customer_id is null
    or tier.customer_id is null
    or tier.as_of_date <> {{ as_of_date() }}

{% endtest %}
