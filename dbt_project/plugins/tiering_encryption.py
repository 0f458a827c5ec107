"""dbt-duckdb plugin: lets dbt write the encrypted warehouse without downloading.

The warehouse is an encrypted DuckDB file (``TIERING_WAREHOUSE``) that this plugin
attaches as catalog ``warehouse`` with its key (``DBT_ENV_SECRET_WAREHOUSE_KEY``, a
name dbt scrubs from its logs). DuckDB writes encrypted files only with OpenSSL,
which comes with the httpfs extension; dbt-duckdb's ``extensions:`` would
``INSTALL`` it (a download), so the plugin first loads it from the file of the
``duckdb-extension-httpfs`` pip package.

The attach is done here rather than in ``profiles.yml`` so that the profile stays
the same for every home: dbt reparses the whole project when the profile's
connection settings change, which a per-home path or key would do on the first run
of every home. The profile's own ``attach`` entry is constant and only names the
catalog; dbt-duckdb's ``ATTACH IF NOT EXISTS`` skips it once ``warehouse`` exists.

It refuses to connect when the path or the key is missing, so a mis-configured run
can never create an unencrypted warehouse.

It also gives dbt's connection the DuckDB limits of the job's own connections
(memory limit, threads, a private spill folder under the home, encrypted spill
files; :class:`orchestration.settings.DuckDBSettings`): the job passes them as
``TIERING_DUCKDB_*`` variables, and a hand-run dbt gets the same machine-derived
defaults. They are set here, on the connection, and not as ``settings:`` in the
profile, for the same reason as the attach: the profile stays constant. The results
must not depend on the thread count: scores, points and money are exact decimals.
``TIERING_DUCKDB_VERIFY_PARALLELISM=1`` (tests) cuts every table scan into tasks of
one vector (2,048 rows), so even a small landing is aggregated by several threads at
once, in whatever order they finish (``PRAGMA verify_parallelism``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from orchestration.security.stores import attach_sql, literal, load_httpfs
from orchestration.settings import duckdb_settings

KEY_VARIABLE = "DBT_ENV_SECRET_WAREHOUSE_KEY"
PATH_VARIABLE = "TIERING_WAREHOUSE"
CATALOG = "warehouse"
VERIFY_PARALLELISM_VARIABLE = "TIERING_DUCKDB_VERIFY_PARALLELISM"


class Plugin(BasePlugin):
    def configure_connection(self, conn: Any) -> None:
        key = os.environ.get(KEY_VARIABLE)
        if not key:
            raise RuntimeError(
                f"{KEY_VARIABLE} is not set: the warehouse is encrypted and is opened "
                "only with its key (the tiering job sets it)"
            )
        path = os.environ.get(PATH_VARIABLE)
        if not path:
            raise RuntimeError(f"{PATH_VARIABLE} is not set: the path of the warehouse file")
        # the same limits, extension file and ATTACH as the job's own connections; the
        # warehouse lives in the home, whose spill folder dbt's connection shares
        settings = duckdb_settings(Path(path).parent)
        for name, value in settings.connection_config(f"dbt-{os.getpid()}").items():
            conn.execute(f"set {name} = {literal(value)}")
        load_httpfs(conn)
        conn.execute(attach_sql(Path(path), key, CATALOG))

    def configure_cursor(self, cursor: Any) -> None:
        # a client setting: every cursor (one per dbt thread) needs it
        if os.environ.get(VERIFY_PARALLELISM_VARIABLE, "").strip() in ("1", "true"):
            cursor.execute("pragma verify_parallelism")
