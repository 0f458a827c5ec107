{#-
    Manual overrides in the tier kit: a relationship manager or risk officer pins a
    customer's tier of one scheme (landing source overrides, model
    customer_tier_overrides: the override in force on the as-of date, one per customer
    and scheme). tier_select applies them to every tier of every tier model, so no
    model has code of its own for them:

        tier_override_join(features, scheme, with_seed_row=false)
            the joins of a tier: the override of the customer and scheme (alias
            <scheme>_pin) and the pinned code's row in the scheme's codes (alias
            <scheme>_pinned: tier_code, tier_rank, label_zh, label_en of
            tier_codes_sql, so also an extra code such as pipeline stage E); a code
            that is not a code of the scheme matches no row and pins nothing.
            with_seed_row: also the codes seed row of the pinned code (alias
            <scheme>_pinned_band), for the `columns` of a tier that follow the tier
            that applies (the credit limit and loan rate of a pinned credit grade).
        tier_override_reason(lang, band, computed_label, computed_reason)
            the reason of the tier that applies: the computed one, or of a pinned
            tier: that it is a manual override, why, who approved it and until when,
            then the tier as computed and its reason:
                人工调整：<reason>（审批人：<approved_by>，有效期至 2026-12-31）；
                计算结果：<label>，<computed reason>
                Manual override: <reason> (approved by <approved_by>, valid until
                2026-12-31); computed: <label> - <computed reason>

    A pinned tier replaces the code, rank, labels and reasons of the tier (the
    effective tier); computed_<code> / computed_<rank> keep the computed one, and
    is_override, override_reason, override_approved_by, override_valid_until say
    which override applies (macro tier_column_names). The distance to the next tier
    is NULL while a tier is pinned: the override, not the input, decides it.
-#}

{% macro tier_override_join(features, scheme, with_seed_row=false) -%}
    {%- set entry = tier_scheme(scheme) -%}
    {%- set band = entry.scheme -%}
left join {{ ref('customer_tier_overrides') }} as {{ band }}_pin
    on {{ features }}.customer_id = {{ band }}_pin.customer_id
        and {{ band }}_pin.scheme = '{{ entry.scheme }}'
left join ({{ tier_codes_sql(entry) }}) as {{ band }}_pinned
    on {{ band }}_pin.tier_code = {{ band }}_pinned.tier_code
{%- if with_seed_row %}
left join {{ ref(entry.codes_seed) }} as {{ band }}_pinned_band
    on {{ band }}_pinned.tier_code = {{ band }}_pinned_band.tier_code
{%- endif %}
{%- endmacro %}


{% macro tier_override_reason(lang, band, computed_label, computed_reason) -%}
    {#- The reason of the tier that applies: the computed reason, or while a manual
        override pins the tier (<band>_pinned matched) the override's text followed by
        the computed tier and reason. `computed_reason` is written once (its separator
        is empty when nothing is pinned), so its SQL appears once in the select. -#}
    {%- set text = {
        'zh': {'override': '人工调整：', 'approver': '（审批人：', 'then_until': '，',
               'until': '有效期至 ', 'no_end': '长期有效，至撤销为止',
               'computed': '）；计算结果：', 'then_reason': '，'},
        'en': {'override': 'Manual override: ', 'approver': ' (approved by ',
               'then_until': ', ', 'until': 'valid until ', 'no_end': 'until withdrawn',
               'computed': '); computed: ', 'then_reason': ' - '},
    }['zh' if lang == 'zh' else 'en'] -%}
    {%- set pin = band ~ '_pin' -%}
    {%- set is_pinned = band ~ '_pinned.tier_code is not null' -%}
    {%- set until = 'cast(' ~ pin ~ '.valid_until as string)' -%}
    ((case
        when {{ is_pinned }} then '{{ text.override }}' || {{ pin }}.override_reason
            || '{{ text.approver }}' || {{ pin }}.approved_by || '{{ text.then_until }}'
            || coalesce('{{ text.until }}' || {{ until }}, '{{ text.no_end }}')
            || '{{ text.computed }}' || coalesce({{ computed_label }}, '')
        else ''
    end) || coalesce(
        (case when {{ is_pinned }} then '{{ text.then_reason }}' else '' end) || {{ computed_reason }},
        (case when {{ is_pinned }} then '' end)
    ))
{%- endmacro %}
