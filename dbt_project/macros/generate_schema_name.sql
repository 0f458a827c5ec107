{% macro generate_schema_name(custom_schema_name, node) -%}
    {#- Models land in exactly `staging`, `intermediate`, `marts` and seeds in `seeds`
        (the folder's +schema), not `<target schema>_<schema>`: BI tools and the
        published artefact address the tier tables as marts.<table>. -#}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
