{#-
    The scheme registry: var tier_schemes of dbt_project.yml is THE list of tier
    schemes (name, tier model, column prefix, codes seed, reason and distance
    columns; see the comment there). These macros read it, so no model, test or
    macro types a list of schemes:

        tier_scheme(name)            the registry entry of one scheme
        tier_schemes(model=none, effective=none)
                                     the entries (in registry order), optionally of one
                                     model and/or only (non-)effective ones
        tier_column_names(scheme)    the column names of a scheme in its model
        tier_codes_sql(scheme)       SQL: the codes the scheme can take
        tier_status_sql(scheme)      SQL: its status row (UNRATED), ranked after them
        tier_scheme_codes_sql(scheme)  SQL: both, the complete code list
-#}

{% macro tier_scheme(name) -%}
    {#- The registry entry of scheme `name` (a dict); a registry entry passes through.
        An unknown name fails the compilation, so a typo never yields empty SQL. -#}
    {%- if name is mapping -%}
        {{ return(name) }}
    {%- endif -%}
    {%- for entry in var('tier_schemes') -%}
        {%- if entry.scheme == name -%}
            {{ return(entry) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "unknown tier scheme '" ~ name ~ "': not in var tier_schemes (dbt_project.yml)"
    ) }}
{%- endmacro %}


{% macro tier_schemes(model=none, effective=none) -%}
    {#- The registry entries in registry order; `model` keeps those of one tier model,
        `effective` true / false keeps only the effective (fast up / slow down) or
        only the computed schemes. -#}
    {%- set found = [] -%}
    {%- for entry in var('tier_schemes') -%}
        {%- set is_effective = entry.get('effective_of') is not none -%}
        {%- if (model is none or entry.model == model)
            and (effective is none or is_effective == effective) -%}
            {%- do found.append(entry) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{% macro tier_column_names(scheme) -%}
    {#- The columns of a scheme in its tier model: prefix '' = tier_code, tier_rank,
        tier_label_zh, tier_label_en; prefix p = p_code, p_rank, p_zh, p_en. reason_zh /
        reason_en / distance are none when the model has no such column for it.
        The tier those columns hold is the one that applies (a manual override's when
        one is in force); beside it the tier as computed and the override:
        computed_code / computed_rank = computed_<code column> / computed_<rank column>
        (computed_tier_code, computed_card_tier_code), and is_override,
        override_reason, override_approved_by, override_valid_until, prefixed
        p_ for a prefixed scheme (card_tier_is_override, card_tier_override_reason). -#}
    {%- set entry = tier_scheme(scheme) -%}
    {%- set p = entry.prefix -%}
    {%- set code = (p ~ '_code') if p else 'tier_code' -%}
    {%- set rank = (p ~ '_rank') if p else 'tier_rank' -%}
    {%- set pin = (p ~ '_') if p else '' -%}
    {{ return({
        'code': code,
        'rank': rank,
        'label_zh': (p ~ '_zh') if p else 'tier_label_zh',
        'label_en': (p ~ '_en') if p else 'tier_label_en',
        'reason_zh': (entry.reason ~ '_zh') if entry.reason else none,
        'reason_en': (entry.reason ~ '_en') if entry.reason else none,
        'distance': entry.distance if entry.distance else none,
        'computed_code': 'computed_' ~ code,
        'computed_rank': 'computed_' ~ rank,
        'is_override': pin ~ 'is_override',
        'override_reason': pin ~ 'override_reason',
        'override_approved_by': pin ~ 'override_approved_by',
        'override_valid_until': pin ~ 'override_valid_until',
    }) }}
{%- endmacro %}


{% macro tier_codes_sql(scheme) -%}
    {#- A query of the codes a scheme can take, columns tier_code, tier_rank, label_zh,
        label_en: the rows of its codes seed, plus its extra_codes (e.g. the stages a
        lead's need status forces, the card tier NO_ACCOUNT). `union` folds an extra
        code that repeats a seed code with the same rank and labels (D of
        pipeline_stage). An extra_codes entry without prefix names a seed with the
        codes seed's columns tier_code / tier_rank / label_zh / label_en. -#}
    {%- set entry = tier_scheme(scheme) -%}
    {%- set extra = entry.get('extra_codes') -%}
    select tier_code, tier_rank, label_zh, label_en
    from {{ ref(entry.codes_seed) }}
    {%- if extra %}
    {%- set p = extra.get('prefix') %}
    {%- set columns = {
        'code': (p ~ '_code') if p else 'tier_code',
        'rank': (p ~ '_rank') if p else 'tier_rank',
        'zh': (p ~ '_zh') if p else 'label_zh',
        'en': (p ~ '_en') if p else 'label_en',
    } %}
    union
    select
        {{ columns.code }} as tier_code,
        {{ columns.rank }} as tier_rank,
        {{ columns.zh }} as label_zh,
        {{ columns.en }} as label_en
    from {{ ref(extra.seed) }}
    where {{ columns.code }} is not null
    {%- endif %}
{%- endmacro %}


{% macro tier_status_sql(scheme) -%}
    {#- A query of the status row of a scheme (UNRATED, seed tier_status_labels): code,
        labels and reasons from the seed, and the rank after the worst code of the
        scheme (max tier_rank + 1). The rank is computed, not typed, so a band added
        to a band seed (a new worst rank) never collides with it. No row when the
        scheme has no status (it always rates). -#}
    {%- set entry = tier_scheme(scheme) -%}
    select
        status.tier_code,
        (select max(codes.tier_rank) + 1 from ({{ tier_codes_sql(entry) }}) as codes)
            as tier_rank,
        status.label_zh,
        status.label_en,
        status.reason_zh,
        status.reason_en
    from {{ ref('tier_status_labels') }} as status
    where status.scheme = '{{ entry.scheme }}'
{%- endmacro %}


{% macro tier_scheme_codes_sql(scheme) -%}
    {#- A query of every code of a scheme, its codes and its status: tier_code,
        tier_rank, label_zh, label_en, is_status. Read by the history (the rank of a
        code) and by the tier_table test (the codes a tier table may hold). -#}
    {%- set entry = tier_scheme(scheme) -%}
    select codes.*, false as is_status
    from ({{ tier_codes_sql(entry) }}) as codes
    union all
    select status.tier_code, status.tier_rank, status.label_zh, status.label_en, true
    from ({{ tier_status_sql(entry) }}) as status
{%- endmacro %}


{#- The scheme names of `schemes` (entries of tier_schemes()) as SQL string literals,
    comma-separated, for an `in (...)` list. -#}
{% macro scheme_name_list(schemes) -%}
    {%- for scheme in schemes -%}
    '{{ scheme.scheme }}'{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
