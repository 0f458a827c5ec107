{#-
    Human-readable reasons of a tier, built from the seed row of the band that applied.

    band_text(band) is THE text of a band, used by every tier table: the bounds of the
    seed row with thousands separators and the bracket of each bound's inclusivity,
    '[10,000, 80,000)', '(0.36, 0.5]', '(-∞, 5,000)', '[80,000, +∞)'. The reason and
    distance macros below build on it; no model spells a band out by hand.
-#}

{% macro format_number(value) -%}
    {#- 12340 -> '12,340'; 12340.5 -> '12,340.50'; 0.36 -> '0.36' (up to 4 decimals
        below 1, so ratios keep their precision); NULL stays NULL. -#}
    (case
        when {{ value }} is null then null
        when {{ value }} = trunc({{ value }}) then format('{:,}', cast({{ value }} as hugeint))
        when abs({{ value }}) < 1 then rtrim(format('{:.4f}', cast({{ value }} as double)), '0')
        else format('{:,.2f}', cast({{ value }} as double))
    end)
{%- endmacro %}


{% macro format_precise(value) -%}
    {#- The value with up to 8 decimals, trailing zeros dropped: 49.995 -> '49.995',
        0.3600396 -> '0.3600396'; for an input whose shown (rounded) figure would
        contradict its band. NULL stays NULL. -#}
    (case
        when {{ value }} is null then null
        else rtrim(rtrim(format('{:,.8f}', cast({{ value }} as double)), '0'), '.')
    end)
{%- endmacro %}


{% macro format_banded(value, band) -%}
    {#- The banded input of a reason as it is displayed: rounded (half up, in
        DECIMAL) to 2 decimals, 4 below 1, and formatted by format_number - unless that
        rounded figure lies outside the band the exact value was matched in (49.995
        star points are quasi-star (0, 50) but show as 50.00; 0.004 show as 0): then
        format_precise, so a reason never states a figure outside its own band. -#}
    {#- each branch cast on its own: a CASE of decimal(38, 4) and decimal(38, 2)
        would be typed decimal(38, 2) -#}
    {%- set shown -%}
        (case
            when abs({{ value }}) < 1 then cast(round({{ value }}, 4) as decimal(38, 4))
            else cast(round({{ value }}, 2) as decimal(38, 4))
        end)
    {%- endset -%}
    (case
        when {{ value }} is null then null
        when {{ band_match(shown, band) }} then {{ format_number(shown) }}
        else {{ format_precise(value) }}
    end)
{%- endmacro %}


{% macro band_text(band) -%}
    {#- '[lower, upper)' of a band seed row (alias `band`); NULL when no band matched. -#}
    (case
        when {{ band }}.tier_code is null then null
        else
            (case when {{ band }}.lower_bound is not null and {{ band }}.lower_inclusive
                then '[' else '(' end)
            || coalesce({{ format_number(band ~ '.lower_bound') }}, '-∞')
            || ', '
            || coalesce({{ format_number(band ~ '.upper_bound') }}, '+∞')
            || (case when {{ band }}.upper_bound is not null and {{ band }}.upper_inclusive
                then ']' else ')' end)
    end)
{%- endmacro %}


{% macro band_reason(lang, measure, value, band, verb='falls') -%}
    {#- The reason of a banded tier in Chinese (lang='zh') or English (lang='en'):
            星点值 12,340，位于六星级区间 [10,000, 80,000)
            Star points 12,340 fall in the 6-star band [10,000, 80,000)
        `measure` is the name of the input in that language (plain text), `verb` the
        English verb agreeing with it. `value` is the exact value that was banded; the
        text shows it rounded (format_banded), with more decimals only where the
        rounded figure would lie outside the band. A NULL input that fell in the band with
        matches_null reads '贷款价值比缺失，按较差处理' / 'Loan-to-value missing:
        treated as Poor'. NULL when no band matched (the caller falls back to the
        UNRATED reason of seed tier_status_labels). -#}
    {%- set label = band ~ ('.label_zh' if lang == 'zh' else '.label_en') -%}
    (case
        when {{ band }}.tier_code is null then null
        {%- if lang == 'zh' %}
        when {{ value }} is null then '{{ measure }}缺失，按' || {{ label }} || '处理'
        else '{{ measure }} ' || {{ format_banded(value, band) }} || '，位于' || {{ label }}
            || '区间 ' || {{ band_text(band) }}
        {%- else %}
        when {{ value }} is null then '{{ measure }} missing: treated as ' || {{ label }}
        else '{{ measure }} ' || {{ format_banded(value, band) }} || ' {{ verb }} in the '
            || {{ label }} || ' band ' || {{ band_text(band) }}
        {%- endif %}
    end)
{%- endmacro %}


{% macro next_band_join(seed, alias, band, condition=none) -%}
    {#- `left join <seed> as <alias>` on the next better band of `band` (tier_rank one
        lower); no row for the top band or when `band` did not match. -#}
    left join {{ ref(seed) }} as {{ alias }}
        on {{ alias }}.tier_rank = {{ band }}.tier_rank - 1
        {%- if condition is not none %}
        and ({{ condition }})
        {%- endif %}
{%- endmacro %}


{% macro band_distance(value, next_band) -%}
    {#- How much the input must move to reach the next better band (`next_band`, from
        next_band_join): next.lower_bound - value when the better band lies above
        (star points, assets, scores), value - next.upper_bound when it lies below
        (risk score, months to close). NULL at the top band, for a NULL input or when
        unrated. When that edge is exclusive the input must pass it, not just reach it
        (e.g. 0 star points need more than 0 for QUASI_STAR). -#}
    (case
        when {{ value }} is null or {{ next_band }}.tier_code is null then null
        when {{ next_band }}.lower_bound is not null and {{ value }} < {{ next_band }}.lower_bound
            then {{ next_band }}.lower_bound - {{ value }}
        when {{ next_band }}.upper_bound is not null and {{ value }} > {{ next_band }}.upper_bound
            then {{ value }} - {{ next_band }}.upper_bound
        else 0
    end)
{%- endmacro %}


{% macro hysteresis_reason(lang, measure, value, h, raw_band, eff_band, prev_band, verb='falls') -%}
    {#- Reason of an effective (fast up / slow down) tier, from the fold row `h` of
        tier_hysteresis and the seed rows of the month's band (`raw_band`), the
        effective band (`eff_band`) and the effective band before this rating
        (`prev_band`). NULL for an UNRATED month (the caller falls back to the
        UNRATED reason). -#}
    {%- set n = format_number(h ~ '.downgrade_after_months') -%}
    {%- set m = format_number(h ~ '.months_below') -%}
    (case
        when {{ h }}.status = 'UNRATED' or {{ h }}.status is null then null
        {%- if lang == 'zh' %}
        when {{ h }}.status = 'NEW'
            then {{ band_reason('zh', measure, value, raw_band) }} || '（首次评级）'
        when {{ h }}.status = 'STABLE' then {{ band_reason('zh', measure, value, raw_band) }}
        when {{ h }}.status = 'UPGRADED'
            then {{ band_reason('zh', measure, value, raw_band) }} || '，由' || {{ prev_band }}.label_zh
                || '立即升级'
        when {{ h }}.status = 'WATCH'
            then '{{ measure }} ' || {{ format_number(value) }} || '，低于当前' || {{ eff_band }}.label_zh
                || '区间 ' || {{ band_text(eff_band) }} || '，已连续 ' || {{ m }} || ' 个月（连续 '
                || {{ n }} || ' 个月降级），暂保留' || {{ eff_band }}.label_zh || '（观察期）'
        when {{ h }}.status = 'DOWNGRADED'
            then '{{ measure }} ' || {{ format_number(value) }} || '，连续 ' || {{ n }} || ' 个月低于'
                || {{ prev_band }}.label_zh || '区间 ' || {{ band_text(prev_band) }} || '，降为'
                || {{ eff_band }}.label_zh || ' ' || {{ band_text(eff_band) }}
        {%- else %}
        when {{ h }}.status = 'NEW'
            then {{ band_reason('en', measure, value, raw_band, verb) }} || ' (first rating)'
        when {{ h }}.status = 'STABLE' then {{ band_reason('en', measure, value, raw_band, verb) }}
        when {{ h }}.status = 'UPGRADED'
            then {{ band_reason('en', measure, value, raw_band, verb) }} || '; upgraded at once from '
                || {{ prev_band }}.label_en
        when {{ h }}.status = 'WATCH'
            then '{{ measure }} ' || {{ format_number(value) }} || ' below the current '
                || {{ eff_band }}.label_en || ' band ' || {{ band_text(eff_band) }} || ' for '
                || {{ m }} || ' consecutive monthly rating(s) (downgrade after ' || {{ n }} || '): '
                || {{ eff_band }}.label_en || ' kept, on watch'
        when {{ h }}.status = 'DOWNGRADED'
            then '{{ measure }} ' || {{ format_number(value) }} || ' below the '
                || {{ prev_band }}.label_en || ' band ' || {{ band_text(prev_band) }} || ' for '
                || {{ n }} || ' consecutive monthly ratings: downgraded to '
                || {{ eff_band }}.label_en || ' ' || {{ band_text(eff_band) }}
        {%- endif %}
    end)
{%- endmacro %}
