{% macro mask_identifiers(col) -%}
    {#- Free text with mainland national IDs (18 characters) and mobile numbers
        (11 digits starting 13-19) replaced by [ID] and [PHONE]: notes typed by
        staff often quote them, and free text is not tokenised at ingest. -#}
    {{ regexp_replace_all(
        regexp_replace_all(
            'cast(' ~ col ~ ' as string)',
            "'(^|[^0-9])[0-9]{17}[0-9Xx]([^0-9A-Za-z]|$)'", "'\\1[ID]\\2'"
        ),
        "'(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)'", "'\\1[PHONE]\\2'"
    ) }}
{%- endmacro %}
