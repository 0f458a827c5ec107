"""Short-lived DuckDB connections to the working warehouse.

DuckDB allows one read-write process per file, and dbt runs in a subprocess, so no
connection may stay open across steps: open, use, close. A lock held by another
process (a second run, an operator's shell) is usually brief, so opening retries
with exponential backoff before giving up with a message that says what holds it.
The warehouse is encrypted (see :mod:`orchestration.security.stores`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb

from orchestration.security.keys import KeyStore
from orchestration.security.stores import LOCK_RETRY_DELAYS_S, open_store


@contextlib.contextmanager
def connect(
    path: Path, *, read_only: bool = False, retry_delays: tuple[float, ...] = LOCK_RETRY_DELAYS_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the (encrypted) warehouse ``path``, retrying transient lock conflicts, and
    always close it. The key is the ``warehouse`` key of the home it lives in."""
    key = KeyStore(Path(path).parent).text("warehouse")
    with open_store(
        path, key, alias="warehouse", read_only=read_only, retry_delays=retry_delays
    ) as con:
        yield con


def table_columns(
    con: duckdb.DuckDBPyConnection, table: str, schema: str, catalog: str | None = None
) -> set[str]:
    """The column names of ``schema.table`` in ``catalog`` (default: the connection's
    current catalog); empty when the table is not there."""
    return {
        c
        for (c,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = coalesce(?, current_database()) and table_schema = ? "
            "and table_name = ?",
            [catalog, schema, table],
        ).fetchall()
    }


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


#: run locks this process holds, by lock file: the count of nested holders
_held_run_locks: dict[Path, int] = {}


@contextlib.contextmanager
def exclusive_run(home: Path, say=print) -> Iterator[None]:
    """Hold ``$TIERING_HOME/.run.lock`` for a whole run, so two runs (``tiering run``
    or launched by Dagster) never write one warehouse together; the second waits for
    the first.

    The lock is an OS file lock: it is released when the process ends, even when it
    is killed, so a crashed run never leaves a stale lock behind. It is re-entrant
    within a process: ``tiering run`` takes it around the job, and the job's run
    resource takes it again (see ``orchestration.run.resource``).
    """
    import fcntl

    home.mkdir(parents=True, exist_ok=True)
    path = (home / ".run.lock").resolve()
    if _held_run_locks.get(path):
        _held_run_locks[path] += 1
        try:
            yield
        finally:
            _held_run_locks[path] -= 1
        return
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"another run holds {path}; waiting for it to finish")
            fcntl.flock(fh, fcntl.LOCK_EX)
        _held_run_locks[path] = 1
        try:
            yield
        finally:
            del _held_run_locks[path]
            fcntl.flock(fh, fcntl.LOCK_UN)
