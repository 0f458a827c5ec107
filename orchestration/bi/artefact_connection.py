"""How a SQLAlchemy client (Apache Superset, through duckdb-engine) reads a published
artefact: an in-memory DuckDB database (``duckdb:///:memory:``) to which every new
connection attaches the artefact read-only with its key.

Standalone (DuckDB's DBAPI connection and SQLAlchemy only): Superset's virtualenv loads
it from ``superset_config.py`` without the project installed; the project's tests
import it as ``orchestration.bi.artefact_connection``.
"""

from __future__ import annotations

from pathlib import Path

#: the catalog name of the attached artefact: tables are ``main.<table>`` in it
CATALOG = "tiers"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def attach_artefact(dbapi_connection, artefact: Path, key_file: Path) -> None:
    """Attach ``artefact`` read-only with the key in ``key_file`` to a new DuckDB
    connection and ``USE`` it, so ``main.<table>`` is a published table. Then the
    connection loses file access and its configuration is locked: a query (SQL Lab's
    included) cannot read another file, attach a database or undo either.

    A connection opened after a publication reads the new artefact (an atomic rename);
    one already open keeps the run it attached."""
    key = Path(key_file).read_text(encoding="utf-8").strip()
    dbapi_connection.execute(
        f"attach {_literal(str(artefact))} as {CATALOG} (encryption_key {_literal(key)}, read_only)"
    )
    dbapi_connection.execute(f"use {CATALOG}")
    dbapi_connection.execute("set enable_external_access = false")
    dbapi_connection.execute("set lock_configuration = true")


def is_duckdb_connection(dbapi_connection) -> bool:
    """duckdb-engine's DBAPI connection (not, e.g., Superset's own SQLite metadata)."""
    return type(dbapi_connection).__module__.split(".")[0] in ("duckdb_engine", "duckdb")


def attach_on_connect(engine_or_class, artefact: Path, key_file: Path) -> None:
    """Attach the artefact on every new DuckDB connection of ``engine_or_class`` (an
    engine, or ``sqlalchemy.engine.Engine`` for all of a process's engines)."""
    from sqlalchemy import event

    def _on_connect(dbapi_connection, _record) -> None:
        if is_duckdb_connection(dbapi_connection):
            attach_artefact(dbapi_connection, artefact, key_file)

    event.listen(engine_or_class, "connect", _on_connect)
