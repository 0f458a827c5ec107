{% macro source_present(source_name) -%}
    {#- Scalar subquery: was the optional landing source `source_name` delivered in
        this run (int_source_availability)? A source without a row counts as absent,
        so a tier whose source is missing reads UNRATED instead of rating unknown
        figures as zero. -#}
    (
        select coalesce(bool_or(availability.is_present), false)
        from {{ ref('int_source_availability') }} as availability
        where availability.source_name = '{{ source_name }}'
    )
{%- endmacro %}
