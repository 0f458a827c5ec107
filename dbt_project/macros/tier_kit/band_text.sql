{#-
    Human-readable reasons of a tier, built from the seed row of the band that applied.

    band_text(band) is THE text of a band, used by every tier table: the bounds of the
    seed row with thousands separators and the bracket of each bound's inclusivity,
    '[10,000, 80,000)', '(0.36, 0.5]', '(-∞, 5,000)', '[80,000, +∞)'. The reason and
    distance macros below build on it; no model spells a band out by hand.
-#}

{% macro format_number(value) -%}
    {#- 12340 -> '12,340'; 12340.5 -> '12,340.50'; 0.36 -> '0.36' (up to 4 decimals
        below 1, so ratios keep their precision); NULL stays NULL. Rounded half up on
        the exact decimal, the same on every engine. -#}
    (case
        when {{ value }} is null then null
        when {{ value }} % 1 = 0 then {{ format_thousands(value, 0) }}
        when abs({{ value }}) < 1
            then trim(trailing '0' from cast(cast({{ value }} as decimal(38, 4)) as string))
        else {{ format_thousands(value, 2) }}
    end)
{%- endmacro %}


{% macro format_precise(value) -%}
    {#- The value with up to 8 decimals, trailing zeros dropped: 49.995 -> '49.995',
        0.3600396 -> '0.3600396'; for an input whose shown (rounded) figure would
        contradict its band. NULL stays NULL. -#}
    (case
        when {{ value }} is null then null
        else trim(trailing '.' from trim(trailing '0' from {{ format_thousands(value, 8) }}))
    end)
{%- endmacro %}


{% macro banded_shown(value) -%}
    {#- The banded input `value` as a reason displays it: rounded (half up, in DECIMAL)
        to 2 decimals, 4 below 1. Each branch is cast on its own: a CASE of
        decimal(38, 4) and decimal(38, 2) would be typed decimal(38, 2). -#}
    (case
        when abs({{ value }}) < 1 then cast(round({{ value }}, 4) as decimal(38, 4))
        else cast(round({{ value }}, 2) as decimal(38, 4))
    end)
{%- endmacro %}


{% macro format_banded(value, band, shown=none) -%}
    {#- The banded input of a reason as it is displayed: banded_shown(value) formatted
        by format_number - unless that rounded figure lies outside the band the exact
        value was matched in (49.995 star points are quasi-star (0, 50) but show as
        50.00; 0.004 show as 0): then format_precise, so a reason never states a
        figure outside its own band. `shown`: a column (or select alias) that already
        holds banded_shown(value); the rounded figure is repeated a dozen times here,
        so a caller that has it spares the SQL that many copies. -#}
    {%- set shown = shown or banded_shown(value) -%}
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


{% macro band_reason(lang, measure, value, band, verb='falls', shown=none) -%}
    {#- The reason of a banded tier in Chinese (lang='zh') or English (lang='en'):
            星点值 12,340，位于六星级区间 [10,000, 80,000)
            Star points 12,340 fall in the 6-star band [10,000, 80,000)
        `measure` is the name of the input in that language (plain text), `verb` the
        English verb agreeing with it. `value` is the exact value that was banded; the
        text shows it rounded (format_banded), with more decimals only where the
        rounded figure would lie outside the band. A NULL input that fell in the band with
        matches_null reads '贷款价值比缺失，按较差处理' / 'Loan-to-value missing:
        treated as Poor'. NULL when no band matched (the caller falls back to the
        UNRATED reason of seed tier_status_labels). `shown`: see format_banded. -#}
    {%- set label = band ~ ('.label_zh' if lang == 'zh' else '.label_en') -%}
    (case
        when {{ band }}.tier_code is null then null
        {%- if lang == 'zh' %}
        when {{ value }} is null then '{{ measure }}缺失，按' || {{ label }} || '处理'
        else '{{ measure }} ' || {{ format_banded(value, band, shown) }} || '，位于' || {{ label }}
            || '区间 ' || {{ band_text(band) }}
        {%- else %}
        when {{ value }} is null then '{{ measure }} missing: treated as ' || {{ label }}
        else '{{ measure }} ' || {{ format_banded(value, band, shown) }} || ' {{ verb }} in the '
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


{% macro hysteresis_reason(lang, measure, value, h, raw_band, eff_band, prev_band,
                           verb='falls', raw_forced=none, eff_forced=none,
                           prev_forced=none, shown=none) -%}
    {#- Reason of an effective (fast up / slow down) tier, from the fold row `h` of
        tier_hysteresis and the seed rows of the month's band (`raw_band`), the
        effective band (`eff_band`) and the effective band before this rating
        (`prev_band`). NULL for an UNRATED month (the caller falls back to the
        UNRATED reason).
        `raw_forced` / `eff_forced` / `prev_forced` (optional): the same three codes'
        rows of the seed of codes forced before any band (the scheme's extra_codes,
        e.g. card tier NO_ACCOUNT of card_account_statuses: label_zh/en, reason_zh/en;
        no row when the code is a band). A forced code is a rating like a band: the
        month's figure then reads the forced code's reason ('无账户：本月无任何账户
        余额记录，低于当前普通客户区间 (-∞, 50,000)，…') and a forced effective or
        previous code is named by its label, without a band text.
        `shown`: see format_banded. -#}
    {%- set n = format_number(h ~ '.downgrade_after_months') -%}
    {%- set m = format_number(h ~ '.months_below') -%}
    {%- set label = '.label_' ~ lang -%}
    {#- the month's rating: its band reason, or the forced code's reason -#}
    {%- set rated = band_reason(lang, measure, value, raw_band, verb, shown) -%}
    {%- set figure = "'" ~ measure ~ " ' || " ~ format_number(value) -%}
    {%- if raw_forced -%}
        {%- set rated = 'coalesce(' ~ raw_forced ~ '.reason_' ~ lang ~ ', ' ~ rated ~ ')' -%}
        {%- set figure = 'coalesce(' ~ raw_forced ~ '.reason_' ~ lang
            ~ (" || ','" if lang == 'en' else '') ~ ', ' ~ figure ~ ')' -%}
    {%- endif -%}
    {%- set eff_label = hysteresis_label(eff_band, eff_forced, label) -%}
    {%- set prev_label = hysteresis_label(prev_band, prev_forced, label) -%}
    (case
        when {{ h }}.status = 'UNRATED' or {{ h }}.status is null then null
        {%- if lang == 'zh' %}
        when {{ h }}.status = 'NEW' then {{ rated }} || '（首次评级）'
        when {{ h }}.status = 'STABLE' then {{ rated }}
        when {{ h }}.status = 'UPGRADED'
            then {{ rated }} || '，由' || {{ prev_label }} || '立即升级'
        when {{ h }}.status = 'WATCH'
            then {{ figure }} || '，低于当前' || {{ eff_label }}
                || {{ hysteresis_band_text('区间 ', eff_band, eff_forced) }}
                || '，已连续 ' || {{ m }} || ' 个月（连续 ' || {{ n }} || ' 个月降级），暂保留'
                || {{ eff_label }} || '（观察期）'
        when {{ h }}.status = 'DOWNGRADED'
            then {{ figure }} || '，连续 ' || {{ n }} || ' 个月低于' || {{ prev_label }}
                || {{ hysteresis_band_text('区间 ', prev_band, prev_forced) }} || '，降为'
                || {{ eff_label }} || {{ hysteresis_band_text(' ', eff_band, eff_forced) }}
        {%- else %}
        when {{ h }}.status = 'NEW' then {{ rated }} || ' (first rating)'
        when {{ h }}.status = 'STABLE' then {{ rated }}
        when {{ h }}.status = 'UPGRADED'
            then {{ rated }} || '; upgraded at once from ' || {{ prev_label }}
        when {{ h }}.status = 'WATCH'
            then {{ figure }} || ' below the current ' || {{ eff_label }}
                || {{ hysteresis_band_text(' band ', eff_band, eff_forced) }} || ' for '
                || {{ m }} || ' consecutive monthly rating(s) (downgrade after ' || {{ n }} || '): '
                || {{ eff_label }} || ' kept, on watch'
        when {{ h }}.status = 'DOWNGRADED'
            then {{ figure }} || ' below the ' || {{ prev_label }}
                || {{ hysteresis_band_text(' band ', prev_band, prev_forced) }} || ' for '
                || {{ n }} || ' consecutive monthly ratings: downgraded to '
                || {{ eff_label }} || {{ hysteresis_band_text(' ', eff_band, eff_forced) }}
        {%- endif %}
    end)
{%- endmacro %}


{% macro hysteresis_label(band, forced, label) -%}
    {#- The label (`label` = '.label_zh' / '.label_en') of a code of hysteresis_reason:
        the band's, else the forced code's. -#}
    {%- if forced -%}
    coalesce({{ band }}{{ label }}, {{ forced }}{{ label }})
    {%- else -%}
    {{ band }}{{ label }}
    {%- endif -%}
{%- endmacro %}


{% macro hysteresis_band_text(separator, band, forced) -%}
    {#- `separator` and the band text of a code of hysteresis_reason ('区间 [50,000,
        500,000)'); empty for a forced code, which has no band. -#}
    {%- if forced -%}
    (case
        when {{ band }}.tier_code is null then ''
        else '{{ separator }}' || {{ band_text(band) }}
    end)
    {%- else -%}
    '{{ separator }}' || {{ band_text(band) }}
    {%- endif -%}
{%- endmacro %}
