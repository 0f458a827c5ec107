{{ config(meta={'dagster': {'ref': {'name': 'tier_status_labels'}}}) }}
-- The seeds that hold rules per scheme name only schemes of the registry (var
-- tier_schemes), so a renamed or misspelt scheme cannot silently drop its status
-- labels, service measures or fast-up / slow-down rule; and every effective scheme
-- of the registry has its rule (N) in tier_hysteresis_rules.
with

registry as (

    select
        schemes.scheme,
        schemes.is_effective
    from (
        values
        {%- for scheme in tier_schemes() %}
        ('{{ scheme.scheme }}', {{ 'true' if scheme.get('effective_of') else 'false' }})
        {{- "," if not loop.last }}
        {%- endfor %}
    ) as schemes (scheme, is_effective)

),

seed_schemes as (

    select
        'tier_status_labels' as seed_name,
        scheme
    from {{ ref('tier_status_labels') }}
    union all
    select
        'service_measures' as seed_name,
        scheme
    from {{ ref('service_measures') }}
    union all
    select
        'tier_hysteresis_rules' as seed_name,
        scheme
    from {{ ref('tier_hysteresis_rules') }}

)

select
    seed_schemes.seed_name,
    seed_schemes.scheme,
    'not a scheme of the registry' as problem
from seed_schemes
left join registry
    on seed_schemes.scheme = registry.scheme
where registry.scheme is null
union all
select
    'tier_hysteresis_rules' as seed_name,
    registry.scheme,
    'effective scheme without a rule' as problem
from registry
left join {{ ref('tier_hysteresis_rules') }} as rules
    on registry.scheme = rules.scheme
where registry.is_effective and rules.scheme is null
