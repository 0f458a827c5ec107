"""dbt-duckdb plugin that hands the PII token key to DuckDB without putting it in SQL.

dbt refuses ``DBT_ENV_SECRET_*`` variables in model SQL, and any key rendered into a
model would be written in clear to ``target/compiled`` and ``target/run``. The
profile, where secret variables are allowed, passes the key to this plugin, which
sets the DuckDB variable ``tiering_pii_key`` on the connection and on every cursor
dbt opens; the ``pii_key()`` macro reads it with ``getvariable('tiering_pii_key')``.

Enable it in ``profiles.yml``::

    module_paths: ["{{ env_var('TIERING_DBT_PLUGINS', 'plugins') }}"]
    plugins:
      - module: tiering_pii
        config:
          pii_key: "{{ env_var('DBT_ENV_SECRET_PII_KEY', 'tiering-dev-key-change-me') }}"
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

#: name of the DuckDB variable the pii_key() macro reads.
VARIABLE = "tiering_pii_key"


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        key = plugin_config.get("pii_key")
        if not key:
            raise ValueError("tiering_pii plugin: config 'pii_key' is empty")
        self._key = str(key)

    def _set(self, conn: Any) -> None:
        # A prepared parameter, so the key never appears in a SQL string.
        conn.execute(f"set variable {VARIABLE} = ?", [self._key])

    def configure_connection(self, conn: Any) -> None:
        self._set(conn)

    def configure_cursor(self, cursor: Any) -> None:
        # DuckDB variables live per client context; each dbt cursor is a new one.
        self._set(cursor)
