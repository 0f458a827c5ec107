"""dbt-duckdb plugin: lets dbt write the encrypted warehouse without downloading.

The warehouse is an encrypted DuckDB file that ``profiles.yml`` attaches with its
key (``DBT_ENV_SECRET_WAREHOUSE_KEY``, a name dbt scrubs from its logs). DuckDB
writes encrypted files only with OpenSSL, which comes with the httpfs extension;
dbt-duckdb's ``extensions:`` would ``INSTALL`` it (a download), so this plugin
loads it from the file of the ``duckdb-extension-httpfs`` pip package instead,
before dbt-duckdb attaches the warehouse.

It also refuses to connect when the key is missing, so a mis-configured run can
never create an unencrypted warehouse.
"""

from __future__ import annotations

import os
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from orchestration.security.stores import httpfs_file

KEY_VARIABLE = "DBT_ENV_SECRET_WAREHOUSE_KEY"


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        # the same extension file the job's own connections load
        self._httpfs = httpfs_file()

    def configure_connection(self, conn: Any) -> None:
        if not os.environ.get(KEY_VARIABLE):
            raise RuntimeError(
                f"{KEY_VARIABLE} is not set: the warehouse is encrypted and is opened "
                "only with its key (the tiering job sets it)"
            )
        conn.execute("load '" + self._httpfs.replace("'", "''") + "'")
