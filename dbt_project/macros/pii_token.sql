{% macro pii_key() -%}
    {#- The key of the class A tokens, as a SQL expression evaluated in DuckDB.

        dbt refuses DBT_ENV_SECRET_* variables in model SQL, and a key rendered into
        the SQL would be written to target/compiled and target/run. So the key is
        handed to DuckDB out of band: the `tiering_pii` dbt-duckdb plugin
        (plugins/tiering_pii.py, enabled in profiles.yml) sets the DuckDB variable
        `tiering_pii_key` on every connection from DBT_ENV_SECRET_PII_KEY, and the
        SQL only reads the variable. Without the plugin the public development key
        is used, the same default as orchestration.resources.DEV_PII_KEY. -#}
    coalesce(getvariable('tiering_pii_key'), 'tiering-dev-key-change-me')
{%- endmacro %}


{% macro pii_token(col) -%}
    {#- Keyed hash token of a class A value (name, national ID, phone):
        sha256(key || '|' || trimmed value), 64 hex characters. The same value gives
        the same token within one key, so tokens still join and count distinct; the
        clear value cannot be recovered or recomputed without the key. NULL and
        blank stay NULL (no token for "unknown"). -#}
    case
        when nullif(trim(cast({{ col }} as varchar)), '') is null then null
        else sha256(concat({{ pii_key() }}, '|', trim(cast({{ col }} as varchar))))
    end
{%- endmacro %}
