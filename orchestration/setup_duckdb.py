"""Install DuckDB's httpfs extension from its pip package (run once by ``make``).

DuckDB >= 1.4.1 writes encrypted databases only with httpfs loaded, and dbt-duckdb's
``extensions:`` setting runs ``INSTALL``, which would download. Installing the file
shipped in ``duckdb-extension-httpfs`` puts it in DuckDB's local extension folder, so
later ``INSTALL``/``LOAD`` calls find it without any network access.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import duckdb_extension_httpfs


def extension_file() -> Path:
    root = Path(duckdb_extension_httpfs.__file__).parent / "extensions"
    files = sorted(root.glob(f"v{duckdb.__version__}/httpfs.duckdb_extension"))
    if not files:
        raise FileNotFoundError(
            f"no httpfs extension for DuckDB {duckdb.__version__} under {root}; "
            "pin duckdb-extension-httpfs to the DuckDB version"
        )
    return files[0]


def install() -> Path:
    from orchestration.security.stores import connect_duckdb

    path = extension_file()
    with connect_duckdb() as con:
        con.execute(f"install '{path}'")
        con.execute("load httpfs")
    return path


def main() -> int:
    path = install()
    print(f"duckdb httpfs extension installed from {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
