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
from pathlib import Path
from typing import Any

import duckdb
import duckdb_extension_httpfs
from dbt.adapters.duckdb.plugins import BasePlugin

KEY_VARIABLE = "DBT_ENV_SECRET_WAREHOUSE_KEY"


def _httpfs_file() -> str:
    root = Path(duckdb_extension_httpfs.__file__).parent / "extensions"
    files = sorted(root.glob(f"v{duckdb.__version__}/httpfs.duckdb_extension"))
    if not files:
        raise RuntimeError(f"no httpfs extension for DuckDB {duckdb.__version__} under {root}")
    return str(files[0])


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self._httpfs = _httpfs_file()

    def configure_connection(self, conn: Any) -> None:
        if not os.environ.get(KEY_VARIABLE):
            raise RuntimeError(
                f"{KEY_VARIABLE} is not set: the warehouse is encrypted and is opened "
                "only with its key (the tiering job sets it)"
            )
        conn.execute("load '" + self._httpfs.replace("'", "''") + "'")
