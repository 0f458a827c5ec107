{#-
    Override of dbt's format_row (global_project/macros/unit_test_sql/get_fixture_sql.sql,
    dbt-core 1.11) with one change: an empty string is NULL. It also writes the quoted
    literal and the cast itself (what dbt's default__string_literal,
    default__escape_single_quotes and default__safe_cast write, which dbt-duckdb keeps)
    instead of three dispatched macro calls per fixture cell: the unit tests render
    thousands of cells, and the dispatch was a tenth of their time.

    Why: the unit tests give seed inputs without rows, so dbt reads the real seed CSV
    and the tests pin the real rules. dbt reads those files with csv.DictReader, so an
    empty cell (an unbounded band edge, a missing neutral score) arrives as '' and
    `cast('' as decimal)` fails, while `dbt seed` itself loads the same cell as NULL.
    Treating '' as NULL gives fixtures the seed semantics. No fixture in this project
    needs a real empty string.
-#}
{%- macro format_row(row, column_name_to_data_types) -%}
    {% set formatted_row = {} %}
    {%- for column_name, column_value in row.items() -%}
        {% set column_name = column_name|lower %}

        {%- if column_name not in column_name_to_data_types %}
            {% set fixture_name = "expected output" if model.resource_type == 'unit_test' else ("'" ~ model.name ~ "'") %}
            {{ exceptions.raise_compiler_error(
                "Invalid column name: '" ~ column_name ~ "' in unit test fixture for " ~ fixture_name ~ "."
                "\nAccepted columns for " ~ fixture_name ~ " are: " ~ (column_name_to_data_types.keys()|list)
            ) }}
        {%- endif -%}

        {%- set column_type = column_name_to_data_types[column_name] %}

        {%- if column_value is string and 'varying' in column_type -%}
            {%- set column_type = column_type.split('(')[0] -%}
        {%- endif -%}

        {%- set column_value_clean = column_value -%}
        {%- if column_value is none or (column_value is string and column_value == '') -%}
            {%- set column_value_clean = 'null' -%}
        {%- elif column_value is string -%}
            {%- set column_value_clean = "'" ~ column_value | replace("'", "''") ~ "'" -%}
        {%- endif -%}

        {%- set row_update = {column_name: "cast(" ~ column_value_clean ~ " as " ~ column_type ~ ")"} -%}
        {%- do formatted_row.update(row_update) -%}
    {%- endfor -%}
    {{ return(formatted_row) }}
{%- endmacro -%}
