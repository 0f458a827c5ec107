{% macro rule_parameter(name) -%}
    {#- Scalar subquery reading one value of the rule_parameters seed, e.g. the
        window lengths; keeps every rule setting in seeds/. -#}
    (
        select p.parameter_value
        from {{ ref('rule_parameters') }} as p
        where p.parameter_name = '{{ name }}'
    )
{%- endmacro %}
