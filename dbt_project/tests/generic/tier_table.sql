{#-
    A tier table against the scheme registry (var tier_schemes) and the seeds, for
    every scheme the registry places in the model (its main tier and the secondary
    ones, by prefix):
      - exactly one row per customer of the spine (int_customers_filtered), all for
        the run's as-of date;
      - the code is one of the scheme's codes (its codes seed, its extra_codes) or its
        status code (seed tier_status_labels), never NULL;
      - the rank, where the model has the rank column, is >= 1 and the rank of that
        code in the scheme;
      - both labels, and both reasons where the registry names reason columns, are
        present;
      - where the model has the manual override columns (tier kit): the computed
        code is a code of the scheme too, a tier no override pins is the computed one,
        and a pinned one has its override's reason and approver.
    The codes come from the seeds, so a band added to a band seed needs no change
    here. `wide: true` checks the wide customer_tiers instead: every registry scheme's
    <scheme>_code / _zh / _en. The registry is checked against the model's yml too: a
    column it names that the model does not declare fails the compilation.
    Returns one row per problem.
-#}
{% test tier_table(model, wide=false) %}

{%- set declared = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values() if node.resource_type == 'model'
        and node.name == model.identifier %}
        {%- do declared.extend(node.columns.keys()) %}
    {%- endfor %}
{%- endif %}
{%- set checks = [] %}
{#- while dbt parses, every scheme: the refs of all codes seeds are the dependencies -#}
{%- set schemes = tier_schemes(model=model.identifier) if execute and not wide
    else tier_schemes() %}
{%- for scheme in schemes %}
    {%- if wide %}
        {%- set names = {
            'code': scheme.scheme ~ '_code', 'rank': none, 'label_zh': scheme.scheme ~ '_zh',
            'label_en': scheme.scheme ~ '_en', 'reason_zh': none, 'reason_en': none,
        } %}
    {%- else %}
        {%- set names = tier_column_names(scheme) %}
    {%- endif %}
    {%- for key in ['code', 'label_zh', 'label_en', 'reason_zh', 'reason_en'] %}
        {%- if execute and names[key] and names[key] not in declared %}
            {{ exceptions.raise_compiler_error(
                "tier_table: scheme " ~ scheme.scheme ~ " names column " ~ names[key]
                ~ " that " ~ model.identifier ~ " does not declare"
            ) }}
        {%- endif %}
    {%- endfor %}
    {%- do checks.append({
        'scheme': scheme,
        'names': names,
        'ranked': names.rank is not none and names.rank in declared,
        'pinnable': not wide and names.is_override in declared
            and names.computed_code in declared,
    }) %}
{%- endfor %}
{%- if execute and not checks %}
    {{ exceptions.raise_compiler_error(
        "tier_table: no scheme of the registry has model " ~ model.identifier
    ) }}
{%- endif %}

with

spine as (

    select customer_id from {{ ref('int_customers_filtered') }}

),

tier as (

    select * from {{ model }}

),

scheme_codes as (

    {%- for check in checks %}
    select '{{ check.scheme.scheme }}' as scheme, codes.tier_code, codes.tier_rank
    from ({{ tier_scheme_codes_sql(check.scheme) }}) as codes
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

spine_problems as (

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
    where
        spine.customer_id is null
        or tier.customer_id is null
        or tier.as_of_date <> {{ as_of_date() }}

),

scheme_problems as (

    {%- for check in checks %}
    {%- set n = check.names %}
    select
        tier.customer_id,
        '{{ check.scheme.scheme }}: ' || case
            when scheme_codes.tier_code is null
                then 'code ' || coalesce(tier.{{ n.code }}, 'NULL') || ' is not a code of the scheme'
            {%- if check.ranked %}
            when tier.{{ n.rank }} is null or tier.{{ n.rank }} < 1
                or tier.{{ n.rank }} <> scheme_codes.tier_rank
                then 'rank ' || coalesce(cast(tier.{{ n.rank }} as string), 'NULL')
                    || ' is not the rank of ' || tier.{{ n.code }}
            {%- endif %}
            when tier.{{ n.label_zh }} is null or tier.{{ n.label_en }} is null
                then 'a label is missing'
            {%- if n.reason_zh %}
            when tier.{{ n.reason_zh }} is null or tier.{{ n.reason_en }} is null
                then 'a reason is missing'
            {%- endif %}
        end as problem
    from tier
    left join scheme_codes
        on scheme_codes.scheme = '{{ check.scheme.scheme }}'
        and tier.{{ n.code }} = scheme_codes.tier_code
    where
        scheme_codes.tier_code is null
        {%- if check.ranked %}
        or tier.{{ n.rank }} is null
        or tier.{{ n.rank }} < 1
        or tier.{{ n.rank }} <> scheme_codes.tier_rank
        {%- endif %}
        or tier.{{ n.label_zh }} is null
        or tier.{{ n.label_en }} is null
        {%- if n.reason_zh %}
        or tier.{{ n.reason_zh }} is null
        or tier.{{ n.reason_en }} is null
        {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

override_problems as (

    {%- set pinnable = checks | selectattr('pinnable') | list %}
    {%- for check in pinnable %}
    {%- set n = check.names %}
    select
        tier.customer_id,
        '{{ check.scheme.scheme }}: ' || case
            when computed_codes.tier_code is null
                then 'computed code ' || coalesce(tier.{{ n.computed_code }}, 'NULL')
                    || ' is not a code of the scheme'
            when not tier.{{ n.is_override }}
                then 'not overridden, but ' || tier.{{ n.code }} || ' is not the computed '
                    || tier.{{ n.computed_code }}
            else 'an override without its reason or approver'
        end as problem
    from tier
    left join scheme_codes as computed_codes
        on computed_codes.scheme = '{{ check.scheme.scheme }}'
        and tier.{{ n.computed_code }} = computed_codes.tier_code
    where
        computed_codes.tier_code is null
        or (not tier.{{ n.is_override }} and tier.{{ n.code }} <> tier.{{ n.computed_code }})
        or (
            tier.{{ n.is_override }}
            and (tier.{{ n.override_reason }} is null or tier.{{ n.override_approved_by }} is null)
        )
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as string) as customer_id,
        cast(null as string) as problem
    where false
    {%- endfor %}

)

select * from spine_problems
union all
select * from scheme_problems
union all
select * from override_problems

{% endtest %}
