{#- The engine-specific SQL of the project, one macro per construct, dispatched on the
    adapter (duckdb: the default; spark: Apache Spark 4 via dbt-spark). Models call
    these instead of writing an engine's own function, so one set of models builds on
    both (`tiering run --engine spark`). -#}

{% macro register_spark_sources() -%}
    {#- on-run-start: on Spark, the ingest's raw.* tables, handed over as Parquet under
        $TIERING_SPARK_HOME/raw/<table> (orchestration.transform.spark.export_raw),
        become Spark's raw.<table>. Nothing to do on DuckDB: raw.* is in the warehouse. -#}
    {%- if execute and target.type == 'spark' -%}
        {%- set root = env_var('TIERING_SPARK_HOME') ~ '/raw' -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for source in graph.sources.values() if source.source_name == 'raw' -%}
            {%- do run_query('drop table if exists raw.' ~ source.name) -%}
            {%- do run_query("create table raw." ~ source.name ~ " using parquet location '"
                ~ root ~ "/" ~ source.name ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) -%}
    {#- dbt-spark's own seed loader binds values without escaping quotes (a label
        such as "Bachelor's degree" breaks the insert) and passes numbers as floats.
        Here every value is a quoted, escaped literal cast to the seed's column type,
        exact decimals included. -#}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- set value = row[loop.index0] -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- else -%}
                        cast('{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{%- endmacro %}

{#- ---- types and exact integer arithmetic (exact_quotient, decimal_ratio) ---- -#}

{% macro engine_setting(name, value=none) -%}
    {#- a model's pre/post hook that sets (or, with no value, resets) a session setting
        of the engine; nothing on DuckDB, whose settings are the connection's -#}
    {{ return(adapter.dispatch('engine_setting', 'tiering')(name, value)) }}
{%- endmacro %}
{% macro default__engine_setting(name, value) %}{% endmacro %}
{% macro spark__engine_setting(name, value) -%}
    {%- if value is none %}reset {{ name }}{% else %}set {{ name }} = {{ value }}{% endif -%}
{%- endmacro %}

{% macro big_integer() -%}
    {#- the integer type of exact scaled arithmetic: 128 bits on DuckDB, 38 digits on Spark -#}
    {{ return(adapter.dispatch('big_integer', 'tiering')()) }}
{%- endmacro %}
{% macro default__big_integer() %}hugeint{% endmacro %}
{% macro spark__big_integer() %}decimal(38, 0){% endmacro %}

{% macro int_div(numerator, denominator) -%}
    {#- integer division truncating toward zero, exact (no DOUBLE, no rounding) -#}
    {{ return(adapter.dispatch('int_div', 'tiering')(numerator, denominator)) }}
{%- endmacro %}
{% macro default__int_div(numerator, denominator) -%}
    ({{ numerator }}) // ({{ denominator }})
{%- endmacro %}
{% macro spark__int_div(numerator, denominator) -%}
    {#- Spark's `div` returns a 64-bit integer; here the dividend minus its remainder is
        an exact multiple, so the decimal quotient is an exact integer -#}
    cast((({{ numerator }}) - ({{ numerator }}) % ({{ denominator }})) / ({{ denominator }})
        as decimal(38, 0))
{%- endmacro %}

{% macro scaled_integer(integer, scale) -%}
    {#- the integer `integer` times 10^-scale, as an exact DECIMAL(38, scale) -#}
    {{ return(adapter.dispatch('scaled_integer', 'tiering')(integer, scale)) }}
{%- endmacro %}
{% macro default__scaled_integer(integer, scale) -%}
    cast({{ integer }} as decimal(38, 0))
    {%- if scale > 0 %} * {{ '0.' ~ ('0' * (scale - 1)) ~ '1' }}{% endif %}
{%- endmacro %}
{% macro spark__scaled_integer(integer, scale) -%}
    {#- Spark multiplies two 38-digit decimals keeping only 6 decimals (precision
        loss), which would round 0.47974999... to 0.479750: the decimal is parsed from
        the integer's digits with the exponent instead, exactly -#}
    cast(cast(cast({{ integer }} as decimal(38, 0)) as string) || 'E-{{ scale }}'
        as decimal(38, {{ scale }}))
{%- endmacro %}

{#- ---- dates ---- -#}

{% macro months_interval(months) -%}
    {#- an interval of `months` calendar months, to add to or take from a date -#}
    {{ return(adapter.dispatch('months_interval', 'tiering')(months)) }}
{%- endmacro %}
{% macro default__months_interval(months) %}to_months({{ months }}){% endmacro %}
{% macro spark__months_interval(months) %}make_ym_interval(0, {{ months }}){% endmacro %}

{% macro days_between(start_date, end_date) -%}
    {#- whole days from start_date to end_date (negative when end is earlier) -#}
    {{ return(adapter.dispatch('days_between', 'tiering')(start_date, end_date)) }}
{%- endmacro %}
{% macro default__days_between(start_date, end_date) -%}
    date_diff('day', {{ start_date }}, {{ end_date }})
{%- endmacro %}
{% macro spark__days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}

{% macro months_crossed(start_date, end_date) -%}
    {#- calendar-month boundaries from start_date to end_date (DuckDB's
        date_diff('month', ...)): 2026-01-31 -> 2026-02-01 is 1 -#}
    ((year({{ end_date }}) * 12 + month({{ end_date }}))
        - (year({{ start_date }}) * 12 + month({{ start_date }})))
{%- endmacro %}

{% macro complete_months(start_date, end_date) -%}
    {#- complete calendar months from start_date to end_date (DuckDB's
        date_sub('month', ...), checked against it on 300,000 random pairs): a month is
        complete on the same day of the month, or on the last day of a shorter month
        (2026-01-31 -> 2026-02-28 is 1); negative when end_date is earlier -#}
    (case
        when {{ start_date }} <= {{ end_date }}
            then {{ _months_completed(start_date, end_date) }}
        else - {{ _months_completed(end_date, start_date) }}
    end)
{%- endmacro %}

{% macro _months_completed(start_date, end_date) -%}
    ({{ months_crossed(start_date, end_date) }}
        - (case
            when day({{ end_date }}) < day({{ start_date }})
                and {{ end_date }} <> last_day({{ end_date }}) then 1
            else 0
        end))
{%- endmacro %}

{% macro complete_years(start_date, end_date) -%}
    {#- complete years from start_date to end_date (DuckDB's date_sub('year', ...)):
        an age, a tenure -#}
    {{ int_div(complete_months(start_date, end_date), 12) }}
{%- endmacro %}

{#- ---- text ---- -#}

{% macro format_thousands(value, decimals) -%}
    {#- `value` rounded half up to `decimals` and written with thousands separators:
        1234567.125, 2 -> '1,234,567.13' -#}
    {{ return(adapter.dispatch('format_thousands', 'tiering')(value, decimals)) }}
{%- endmacro %}
{% macro default__format_thousands(value, decimals) -%}
    {%- if decimals == 0 -%}
        format('{:,}', cast({{ value }} as hugeint))
    {%- else -%}
        format('{:,.{{ decimals }}f}', cast({{ value }} as decimal(38, {{ decimals }})))
    {%- endif -%}
{%- endmacro %}
{% macro spark__format_thousands(value, decimals) -%}
    format_number(cast({{ value }} as decimal(38, {{ decimals }})), {{ decimals }})
{%- endmacro %}

{% macro ordered_string_agg(expression, separator, order_by) -%}
    {#- string_agg in the order of `order_by` -#}
    {{ return(adapter.dispatch('ordered_string_agg', 'tiering')(expression, separator, order_by)) }}
{%- endmacro %}
{% macro default__ordered_string_agg(expression, separator, order_by) -%}
    string_agg({{ expression }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}
{% macro spark__ordered_string_agg(expression, separator, order_by) -%}
    string_agg({{ expression }}, {{ separator }}) within group (order by {{ order_by }})
{%- endmacro %}

{% macro regexp_replace_all(text, pattern, replacement) -%}
    {#- every match of `pattern` replaced; groups are \1, \2 in `replacement` -#}
    {{ return(adapter.dispatch('regexp_replace_all', 'tiering')(text, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}
{% macro spark__regexp_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ pattern }}, {{ replacement.replace('\\', '$') }})
{%- endmacro %}

{#- ---- lists and columns ---- -#}

{% macro sorted_distinct_list(expression, where) -%}
    {#- aggregate: the distinct non-null values of `expression` on the rows where
        `where` holds, sorted; NULL when there are none -#}
    {{ return(adapter.dispatch('sorted_distinct_list', 'tiering')(expression, where)) }}
{%- endmacro %}
{% macro default__sorted_distinct_list(expression, where) -%}
    list(distinct {{ expression }} order by {{ expression }}) filter (where {{ where }})
{%- endmacro %}
{% macro spark__sorted_distinct_list(expression, where) -%}
    (case
        when count({{ expression }}) filter (where {{ where }}) > 0
            then array_sort(collect_set({{ expression }}) filter (where {{ where }}))
    end)
{%- endmacro %}

{% macro sorted_list(expression) -%}
    {#- aggregate: the values of `expression`, duplicates kept, sorted -#}
    {{ return(adapter.dispatch('sorted_list', 'tiering')(expression)) }}
{%- endmacro %}
{% macro default__sorted_list(expression) -%}
    list({{ expression }} order by {{ expression }})
{%- endmacro %}
{% macro spark__sorted_list(expression) -%}
    array_sort(collect_list({{ expression }}))
{%- endmacro %}

{% macro unnest_list(list) -%}
    {#- in a select list: one row per element of `list` -#}
    {{ return(adapter.dispatch('unnest_list', 'tiering')(list)) }}
{%- endmacro %}
{% macro default__unnest_list(list) %}unnest({{ list }}){% endmacro %}
{% macro spark__unnest_list(list) %}explode({{ list }}){% endmacro %}

{% macro empty_string_list() -%}
    {{ return(adapter.dispatch('empty_string_list', 'tiering')()) }}
{%- endmacro %}
{% macro default__empty_string_list() %}cast([] as varchar[]){% endmacro %}
{% macro spark__empty_string_list() %}cast(array() as array<string>){% endmacro %}

{% macro list_length(list) -%}
    {{ return(adapter.dispatch('list_length', 'tiering')(list)) }}
{%- endmacro %}
{% macro default__list_length(list) %}len({{ list }}){% endmacro %}
{% macro spark__list_length(list) %}array_size({{ list }}){% endmacro %}

{% macro list_to_string(list, separator) -%}
    {{ return(adapter.dispatch('list_to_string', 'tiering')(list, separator)) }}
{%- endmacro %}
{% macro default__list_to_string(list, separator) -%}
    array_to_string({{ list }}, {{ separator }})
{%- endmacro %}
{% macro spark__list_to_string(list, separator) -%}
    array_join({{ list }}, {{ separator }})
{%- endmacro %}

{% macro star_except(relation, columns) -%}
    {#- every column of `relation` (an alias) but `columns` -#}
    {{ return(adapter.dispatch('star_except', 'tiering')(relation, columns)) }}
{%- endmacro %}
{% macro default__star_except(relation, columns) -%}
    {{ relation }}.* exclude ({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__star_except(relation, columns) -%}
    {{ relation }}.* except ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__persist_constraints(relation, model) -%}
    {#- Spark's Parquet tables hold no constraints (dbt-spark would ALTER ... SET NOT
        NULL, which only Delta tables accept): the not_null constraints of an enforced
        contract are checked on the built table instead, and a violation fails the
        model as DuckDB's NOT NULL does. -#}
    {%- if execute and config.get('contract').enforced -%}
        {%- set required = [] -%}
        {%- for name, column in model.columns.items() -%}
            {%- for constraint in column.constraints if constraint.type == 'not_null' -%}
                {%- do required.append(name) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if required -%}
            {%- set sql -%}
                select
                {%- for name in required %}
                    count_if({{ name }} is null){{ "," if not loop.last }}
                {%- endfor %}
                from {{ relation }}
            {%- endset -%}
            {%- set row = run_query(sql).rows[0] -%}
            {%- for name in required -%}
                {%- if row[loop.index0] > 0 -%}
                    {{ exceptions.raise_compiler_error(
                        relation ~ "." ~ name ~ " breaks its not_null constraint: "
                        ~ row[loop.index0] ~ " NULL value(s)") }}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
