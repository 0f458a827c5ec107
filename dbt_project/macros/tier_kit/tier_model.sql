{#-
    tier_model(tiers, inputs={}, columns=none, features=none)
    The whole query of a tier model around the tier kit (tier_select) and its contract
    (contract_select), so that a tier model is its features plus this one call:

      - with `inputs` (a dict alias: intermediate model), the features are the spine
        (int_customers_filtered: customer_id, as_of_date) inner joined with each
        input on customer_id, selecting `columns` (select expressions over the
        aliases; default every column of every input):

            {{ tier_model(
                [{'scheme': 'risk_tier', 'value': 'features.risk_score', ...}],
                inputs={'scored': 'int_customer_risk_scored'},
            ) }}

      - with `features`, the model has already opened `with` and defined that CTE
        (followed by a comma); the call adds the tier and the final select:

            with
            ...
            features as (...),

            {{ tier_model([...], features='features') }}

    Either way: `tiered as (tier_select(...))` then contract_select('tiered').
-#}

{% macro tier_model(tiers, inputs={}, columns=none, features=none) -%}
    {%- if features is none %}
with

features as (

    select
        spine.customer_id,
        spine.as_of_date,
        {%- for column in columns or [] %}
        {{ column }}{{ "," if not loop.last }}
        {%- else %}
        {%- for alias in inputs %}
        {{ star_except(alias, ["customer_id"]) }}{{ "," if not loop.last }}
        {%- endfor %}
        {%- endfor %}
    from {{ tier_spine() }} as spine
    {%- for alias, model_name in inputs.items() %}
    inner join {{ ref(model_name) }} as {{ alias }}
        on spine.customer_id = {{ alias }}.customer_id
    {%- endfor %}

),
    {%- endif %}

tiered as (

    {{ tier_select(features or 'features', tiers) }}

)

{{ contract_select('tiered') }}
{%- endmacro %}
