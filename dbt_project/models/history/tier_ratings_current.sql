-- Every tier of this run in one long table: one row per spine customer and computed
-- scheme of the registry (var tier_schemes, the effective schemes excepted: they are
-- folded from this history in tier_hysteresis) with the code and labels the tier
-- tables publish as of the as-of date - a manual override's pinned tier like any
-- rating, flagged is_override, with the override and the tier as computed beside it.
-- The rank is the rank of the code in its scheme (codes seed, or after them for the
-- status), so a scheme whose model has no rank column (the credit sub-dimensions) is
-- ranked like the others. For the effective schemes only their manual overrides are
-- rows here (the override is a decision of the day, not derivable later; the rest of
-- the effective tier is refolded from the computed ratings on every run). The monthly
-- rating history (tier_monthly_ratings) stores it; the marts read it for this month.
{%- set schemes = tier_schemes(effective=false) %}
{%- set effective_schemes = tier_schemes(effective=true) %}
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
        {{ names.is_override }} as is_override,
        {{ names.computed_code }} as computed_tier_code,
        rule_version
    from {{ ref(scheme.model) }}
    {%- if not loop.last or effective_schemes %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if effective_schemes %}
    -- the overrides of the effective schemes (customer_star_tier_effective publishes
    -- them; the history stores them so that later runs show the pinned months)
    select
        customer_id,
        as_of_date,
        scheme,
        tier_code,
        null as tier_label_zh,
        null as tier_label_en,
        true as is_override,
        null as computed_tier_code,
        null as rule_version
    from {{ ref('customer_tier_overrides') }}
    where scheme in ({{ scheme_name_list(effective_schemes) }})
    {%- endif %}

),

scheme_codes as (

    {%- for scheme in schemes + effective_schemes %}
    select
        '{{ scheme.scheme }}' as scheme,
        codes.tier_code,
        codes.tier_rank,
        codes.label_zh,
        codes.label_en
    from ({{ tier_scheme_codes_sql(scheme) }}) as codes
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    -- an effective scheme's override takes the labels of its code; a code that is not
    -- a code of the scheme pins nothing (the tier kit ignores it too)
    select
        ratings.customer_id,
        cast(date_trunc('month', ratings.as_of_date) as date) as rating_month,
        ratings.scheme,
        ratings.tier_code,
        scheme_codes.tier_rank,
        coalesce(ratings.tier_label_zh, scheme_codes.label_zh) as tier_label_zh,
        coalesce(ratings.tier_label_en, scheme_codes.label_en) as tier_label_en,
        ratings.is_override,
        ratings.computed_tier_code,
        computed_codes.tier_rank as computed_tier_rank,
        computed_codes.label_zh as computed_tier_label_zh,
        computed_codes.label_en as computed_tier_label_en,
        case when ratings.is_override then overrides.override_id end as override_id,
        case when ratings.is_override then overrides.override_reason end as override_reason,
        case when ratings.is_override then overrides.approved_by end as override_approved_by,
        ratings.rule_version,
        ratings.as_of_date as rated_as_of_date
    from ratings
    left join scheme_codes
        on ratings.scheme = scheme_codes.scheme
            and ratings.tier_code = scheme_codes.tier_code
    left join scheme_codes as computed_codes
        on ratings.scheme = computed_codes.scheme
            and ratings.computed_tier_code = computed_codes.tier_code
    left join {{ ref('customer_tier_overrides') }} as overrides
        on ratings.customer_id = overrides.customer_id
            and ratings.scheme = overrides.scheme
    where scheme_codes.tier_code is not null
        or ratings.computed_tier_code is not null

)

{{ contract_select('final') }}
