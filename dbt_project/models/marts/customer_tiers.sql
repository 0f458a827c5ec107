-- One wide row per spine customer per as-of date: the code and labels of every scheme
-- of the registry (var tier_schemes: computed and effective tiers alike, in registry
-- order), the status of the effective (fast up / slow down) star level and card tier,
-- and the service measures of the customer's tiers (seed service_measures). A tier
-- whose source was not delivered reads UNRATED, never NULL; unrated_schemes lists
-- the schemes that are UNRATED. A tier pinned by a manual override shows the pinned
-- code (the tier tables hold the computed one beside it); overridden_schemes lists
-- the schemes a manual override pins.
{%- set schemes = tier_schemes() %}
{%- set models = schemes | map(attribute='model') | unique | list %}
with

measures as (

    select * from {{ ref('service_measures') }}

),

customer_measures as (

    -- the measures of every tier of the customer that has some, in display order
    select * from {{ ref('tier_service_measures_current') }}

),

wide as (

    -- every tier table has one row per spine customer (test tier_table)
    select
        {{ models[0] }}.customer_id,
        {{ models[0] }}.as_of_date,
        {%- for scheme in schemes %}
        {%- set names = tier_column_names(scheme) %}
        {{ scheme.model }}.{{ names.code }} as {{ scheme.scheme }}_code,
        {{ scheme.model }}.{{ names.label_zh }} as {{ scheme.scheme }}_zh,
        {{ scheme.model }}.{{ names.label_en }} as {{ scheme.scheme }}_en,
        {{ scheme.model }}.{{ names.is_override }} as {{ scheme.scheme }}_is_override,
        {%- endfor %}
        customer_star_tier_effective.star_level_status,
        customer_star_tier_effective.months_below as star_months_below,
        customer_star_tier_effective.card_tier_status,
        customer_star_tier_effective.card_months_below
    from {{ ref(models[0]) }} as {{ models[0] }}
    -- sqlfluff misplaces the indent of a join inside a jinja loop:
    -- noqa: disable=LT02
    {%- for name in models[1:] %}
    inner join {{ ref(name) }} as {{ name }}
        on {{ models[0] }}.customer_id = {{ name }}.customer_id
    {%- endfor %}
    -- noqa: enable=LT02

),

features as (

    select
        wide.*,
        value_measures.measures_zh as value_service_measures_zh,
        value_measures.measures_en as value_service_measures_en,
        frequency_measures.measures_zh as purchase_frequency_service_measures_zh,
        frequency_measures.measures_en as purchase_frequency_service_measures_en,
        customer_measures.measures_zh as service_measures_zh,
        customer_measures.measures_en as service_measures_en,
        nullif(concat_ws(
            ','
            {%- for scheme in schemes %},
            case when wide.{{ scheme.scheme }}_code = 'UNRATED' then '{{ scheme.scheme }}' end
            {%- endfor %}
        ), '') as unrated_schemes,
        nullif(concat_ws(
            ','
            {%- for scheme in schemes %},
            case when wide.{{ scheme.scheme }}_is_override then '{{ scheme.scheme }}' end
            {%- endfor %}
        ), '') as overridden_schemes,
        {{ rule_version() }} as rule_version
    from wide
    left join measures as value_measures
        on value_measures.scheme = 'value_tier'
            and wide.value_tier_code = value_measures.tier_code
    left join measures as frequency_measures
        on frequency_measures.scheme = 'purchase_frequency'
            and wide.purchase_frequency_code = frequency_measures.tier_code
    left join customer_measures
        on wide.customer_id = customer_measures.customer_id

)

{{ contract_select('features') }}
