{#-
    The tier kit: the common columns of a tier, from a feature CTE, in one call.

        tiered as (

            {{ tier_select('features', [
                {'scheme': 'star_level', 'value': 'features.star_points',
                 'measure_zh': '星点值', 'measure_en': 'Star points', 'verb': 'fall'},
                {'scheme': 'card_tier', 'value': 'features.monthly_avg_daily_assets', ...},
            ]) }}

        )

        {{ contract_select('tiered') }}

    tier_select(features, tiers) is a select of, per tier of
    the list (several tiers of one model = several entries, in one select), the
    columns the registry (var tier_schemes) names for its scheme, then every column of
    `features` (a feature column named like a tier column is shadowed: DuckDB renames
    the later one <name>_1, and contract_select reads the tier's):
        code, rank, label_zh, label_en   the tier: the band of `value` in the scheme's
                                         codes seed (macro band_join); else, when
                                         nothing matched, the scheme's status row of
                                         seed tier_status_labels (UNRATED), ranked
                                         after its worst code (tier_status_sql)
        reason_zh, reason_en             band_reason of the band, else the status
                                         reason (when the registry names reason columns)
        distance                         band_distance to the next better band (when
                                         the registry names a distance column)
    and rule_version: the fingerprint of every seed the model reads, directly or
    through the models it is built on (macro rule_version).
    A manual override in force (customer_tier_overrides, macros in tier_override.sql)
    pins the tier: code, rank, labels and reasons are then the pinned tier's (the
    reason says it is a manual override, why, who approved it, until when, and the
    computed tier), the distance NULL; every tier also has the computed tier
    (computed_<code>, computed_<rank>) and is_override, override_reason,
    override_approved_by, override_valid_until (names: tier_column_names).

    A tier is a dict:
        scheme                 registry name (required)
        value                  the input that is banded (and measured for the distance);
                               the select holds it once as `<scheme>__value` and its
                               displayed figure as `<scheme>__shown` (banded_shown),
                               which a `reason_*` or `columns` entry of the tier may
                               read instead of repeating the expression; a plain
                               feature column (`features.x`) is read as it is and its
                               figure computed in the features, any other expression
                               becomes a select alias (DuckDB's lateral aliases)
        measure_zh, measure_en, verb
                               the input's name in the reason (band_reason), e.g.
                               '星点值', 'Star points', verb 'fall' (default 'falls')
        match | on             a categorical tier: its code is not banded but matched,
                               `match` = an expression equal to the seed's tier_code,
                               `on` = a join condition on the seed row (alias below)
        when                   rate only when this holds, else the status row
        override               {code, rank, label_zh, label_en, reason_zh, reason_en}:
                               expressions of a tier forced by the features before any
                               band (a lead's need status); no band, no distance then
        reason_zh, reason_en   the reason when not band_reason (categorical tiers)
        distance               the distance when not band_distance
        also_as                a second prefix to repeat code / rank / labels under
                               (customer_star_tier: star_level_code = tier_code)
        columns                more select expressions (with `as`) that use the seed row;
                               `<scheme>_pinned_band` is the codes seed row of a
                               manual override's code (NULL without one), for a figure
                               that follows the tier that applies
    The seed row of a tier is aliased by its scheme name (e.g. `credit_grade`), the next
    better band `<scheme>_next`, the status row `<scheme>_status`, so `columns`,
    `reason_*`, and the `value` / `on` of a LATER tier of the list may use them (the
    credit grade bands the points of the three credit dimensions). The contract
    (contract_select) keeps the columns the model's yml declares and casts them.
-#}

{% macro tier_select(features, tiers) -%}
{#- The displayed figure of each tier banded on a plain feature column is computed once,
    in the features (below): a select alias read by later columns would be resolved by
    DuckDB's binder at each of its dozens of uses, each after a failed column lookup,
    and planning a tier model cost more than running it. -#}
{%- set feature_shown = {} %}
{%- for tier in tiers %}
{%- set value = tier.get('value') %}
{%- if value and not (tier.get('match') or tier.get('on'))
      and modules.re.fullmatch(features ~ '\\.\\w+', value) %}
{%- do feature_shown.update({tier_scheme(tier.scheme).scheme: value}) %}
{%- endif %}
{%- endfor %}
select
    {%- for tier in tiers %}
    {%- set entry = tier_scheme(tier.scheme) %}
    {%- set names = tier_column_names(entry) %}
    {%- set band = entry.scheme %}
    {%- set pinned = band ~ '_pinned' %}
    {%- set override = tier.get('override') %}
    {#- a banded tier's value and its displayed figure, once (the reasons and the
        distance repeat them dozens of times): a plain feature column and its figure
        from the features (above), any other expression as select aliases that the
        later columns of this select read (DuckDB's lateral column aliases). -#}
    {%- set value = tier.get('value') %}
    {%- set shown = none %}
    {%- if band in feature_shown %}
    {{ value }} as {{ band }}__value,
    {%- set shown = features ~ '.' ~ band ~ '__shown' %}
    {%- elif value and not (tier.get('match') or tier.get('on')) %}
    {{ value }} as {{ band }}__value,
    {{ banded_shown(band ~ '__value') }} as {{ band }}__shown,
    {%- set value = band ~ '__value' %}
    {%- set shown = band ~ '__shown' %}
    {%- endif %}
    {#- the tier as computed: the override the features force, the band, the status #}
    {%- set computed = {} %}
    {%- for column, field in [('code', 'tier_code'), ('rank', 'tier_rank'),
                              ('label_zh', 'label_zh'), ('label_en', 'label_en')] %}
    {%- do computed.update({column: tier_resolved(
        override, column, band ~ '.' ~ field, band ~ '_status.' ~ field
    )}) %}
    {%- endfor %}
    {#- the tier that applies: a manual override's in force, else the computed one #}
    {%- for column, field in [('code', 'tier_code'), ('rank', 'tier_rank'),
                              ('label_zh', 'label_zh'), ('label_en', 'label_en')] %}
    {{ tier_pinned(pinned, pinned ~ '.' ~ field, computed[column]) }} as {{ names[column] }},
    {%- if tier.get('also_as') %}
    {{ tier_pinned(pinned, pinned ~ '.' ~ field, computed[column]) }}
        as {{ tier_column_names({'scheme': '', 'prefix': tier.also_as})[column] }},
    {%- endif %}
    {%- endfor %}
    {{ computed.code }} as {{ names.computed_code }},
    {{ computed.rank }} as {{ names.computed_rank }},
    {{ pinned }}.tier_code is not null as {{ names.is_override }},
    {{ tier_pinned(pinned, band ~ '_pin.override_reason', 'null') }}
        as {{ names.override_reason }},
    {{ tier_pinned(pinned, band ~ '_pin.approved_by', 'null') }}
        as {{ names.override_approved_by }},
    {{ tier_pinned(pinned, band ~ '_pin.valid_until', 'null') }}
        as {{ names.override_valid_until }},
    {%- if names.reason_zh %}
    {%- for lang in ['zh', 'en'] %}
    {%- set reason = tier.get('reason_' ~ lang) %}
    {%- if reason is none and tier.get('measure_' ~ lang) %}
    {%- set reason = band_reason(
        lang, tier['measure_' ~ lang], value, band, tier.get('verb', 'falls'), shown
    ) %}
    {%- elif reason is none %}
    {{ exceptions.raise_compiler_error(
        "tier " ~ entry.scheme ~ ": give measure_" ~ lang ~ " or reason_" ~ lang
    ) }}
    {%- endif %}
    {{ tier_override_reason(
        lang,
        band,
        computed['label_' ~ lang],
        tier_resolved(override, 'reason_' ~ lang, reason, band ~ '_status.reason_' ~ lang),
    ) }} as {{ names['reason_' ~ lang] }},
    {%- endfor %}
    {%- endif %}
    {%- if names.distance %}
    {#- the distance from the computed tier; none while an override pins the tier #}
    {%- if tier.get('distance') %}
    {{ tier_pinned(pinned, 'null', tier.distance) }} as {{ names.distance }},
    {%- elif tier.get('value') %}
    {{ tier_pinned(pinned, 'null', band_distance(value, band ~ '_next')) }}
        as {{ names.distance }},
    {%- else %}
    null as {{ names.distance }},
    {%- endif %}
    {%- endif %}
    {%- for column in tier.get('columns', []) %}
    {{ column }},
    {%- endfor %}
    {%- endfor %}
    {{ rule_version() }} as rule_version,
    {{ features }}.*
{%- if feature_shown %}
from (
    select
        {{ features }}.*,
        {%- for band, value in feature_shown.items() %}
        {{ banded_shown(value) }} as {{ band }}__shown{{ "," if not loop.last }}
        {%- endfor %}
    from {{ features }}
) as {{ features }}
{%- else %}
from {{ features }}
{%- endif %}
{%- for tier in tiers %}
{%- set entry = tier_scheme(tier.scheme) %}
{%- set band = entry.scheme %}
{%- set conditions = [] %}
{%- if tier.get('when') %}{% do conditions.append(tier.when) %}{% endif %}
{%- if tier.get('override') %}{% do conditions.append(tier.override.code ~ ' is null') %}{% endif %}
{%- if tier.get('match') or tier.get('on') %}
left join {{ ref(entry.codes_seed) }} as {{ band }}
    on {{ tier.on if tier.get('on') else band ~ '.tier_code = ' ~ tier.match }}
    {%- for condition in conditions %}
    and ({{ condition }})
    {%- endfor %}
{%- else %}
{{ band_join(entry.codes_seed, band, tier.value,
             condition=(conditions | join(') and (')) if conditions else none) }}
{%- endif %}
{%- if entry.distance and not tier.get('distance') and tier.get('value') %}
{{ next_band_join(entry.codes_seed, band ~ '_next', band) }}
{%- endif %}
left join ({{ tier_status_sql(entry) }}) as {{ band }}_status
    on {{ band }}.tier_code is null
    {%- if tier.get('override') %}
    and {{ tier.override.code }} is null
    {%- endif %}
{{ tier_override_join(features, entry, with_seed_row=tier.get('columns') is not none) }}
{%- endfor %}
{%- endmacro %}


{% macro tier_resolved(override, column, matched, status) -%}
    {#- One tier column: the override's value when the features forced the tier,
        else the matched seed row's, else the status row's (joined only when nothing
        matched). -#}
    {%- if override -%}
    (case
        when {{ override.code }} is not null then {{ override[column] }}
        else coalesce({{ matched }}, {{ status }})
    end)
    {%- else -%}
    coalesce({{ matched }}, {{ status }})
    {%- endif -%}
{%- endmacro %}


{% macro tier_pinned(pinned, when_pinned, computed) -%}
    {#- One column of the tier that applies: `when_pinned` while a manual override
        (seed row alias `pinned`, macro tier_override_join) pins the tier, else the
        computed value. -#}
    (case
        when {{ pinned }}.tier_code is not null then {{ when_pinned }}
        else {{ computed }}
    end)
{%- endmacro %}
