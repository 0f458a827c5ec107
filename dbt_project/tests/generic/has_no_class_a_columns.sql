{#-
    Class A customer information (name, national ID, phone) never leaves staging in
    clear text; a published model does not even carry its tokens. Returns the
    offending columns of the model's relation, as the engine (DuckDB or Spark)
    describes the built table.
-#}
{% test has_no_class_a_columns(model) %}

{%- set offending = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
        {%- set name = column.name | lower -%}
        {%- if name in ['full_name', 'national_id', 'phone'] or name.endswith('_token') -%}
            {%- do offending.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- for name in offending %}
select '{{ name }}' as column_name
{{- "\nunion all" if not loop.last }}
{%- else %}
select cast(null as string) as column_name
where 1 = 0
{%- endfor %}

{% endtest %}
