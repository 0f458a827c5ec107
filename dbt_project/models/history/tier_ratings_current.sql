-- Every computed tier of this run in one long table: one row per spine customer and
-- scheme of the registry (var tier_schemes, the effective schemes excepted: they are
-- folded from this history in tier_hysteresis) with the code and labels the tier
-- tables computed as of the as-of date. The rank is the rank of the code in its
-- scheme (codes seed, or after them for the status), so a scheme whose model has no
-- rank column (the credit sub-dimensions) is ranked like the others. The monthly
-- rating history (tier_monthly_ratings) stores it; the marts read it for this month.
{%- set schemes = tier_schemes(effective=false) %}
with

ratings as (

    {%- for scheme in schemes %}
    {%- set names = tier_column_names(scheme) %}
    select
        customer_id,
        as_of_date,
        '{{ scheme.scheme }}' as scheme,
        {{ names.code }} as tier_code,
        {{ names.label_zh }} as tier_label_zh,
        {{ names.label_en }} as tier_label_en,
        rule_version
    from {{ ref(scheme.model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

scheme_codes as (

    {%- for scheme in schemes %}
    select
        '{{ scheme.scheme }}' as scheme,
        codes.tier_code,
        codes.tier_rank
    from ({{ tier_scheme_codes_sql(scheme) }}) as codes
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        ratings.customer_id,
        cast(date_trunc('month', ratings.as_of_date) as date) as rating_month,
        ratings.scheme,
        ratings.tier_code,
        scheme_codes.tier_rank,
        ratings.tier_label_zh,
        ratings.tier_label_en,
        ratings.rule_version,
        ratings.as_of_date as rated_as_of_date
    from ratings
    left join scheme_codes
        on ratings.scheme = scheme_codes.scheme
            and ratings.tier_code = scheme_codes.tier_code

)

{{ contract_select('final') }}
