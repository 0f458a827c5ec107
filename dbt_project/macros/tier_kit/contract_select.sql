{% macro contract_select(relation) -%}
    {#- The final select of a contract-enforced model: every column the model's yml
        declares, in the declared order, cast to its declared data_type, from
        `relation` (a CTE holding at least those columns). So the column types of a
        tier or mart table are typed in ONE place, the yml contract, and a CTE may
        carry helper columns the contract leaves out.

        A dbt unit test compiles the model as a test node that carries no columns
        (and sees no graph): there the columns are those of the tested model as built
        in the warehouse, which the enforced contract made equal to the yml; when it
        is not built yet, every column of `relation`, uncast. While dbt only parses
        (execute is false) nothing runs and no columns are needed. -#}
    {%- set columns = [] -%}
    {%- if execute and model.resource_type == 'unit_test' -%}
        {%- set built = adapter.get_relation(
            database=model.database,
            schema=model.schema,
            identifier=model.tested_node_unique_id.split('.')[-1],
        ) -%}
        {%- if built -%}
            {%- do columns.extend(adapter.get_columns_in_relation(built)) -%}
        {%- endif -%}
    {%- else -%}
        {%- do columns.extend(model.columns.values()) -%}
        {%- if execute and not columns -%}
            {{ exceptions.raise_compiler_error(
                "contract_select: " ~ model.name ~ " declares no columns in its yml"
            ) }}
        {%- endif -%}
    {%- endif %}
select
    {%- for column in columns %}
    cast({{ relation }}.{{ column.name }} as {{ column.data_type }})
        as {{ column.name }}{{ "," if not loop.last }}
    {%- else %}
    {{ relation }}.*
    {%- endfor %}
from {{ relation }}
{%- endmacro %}
