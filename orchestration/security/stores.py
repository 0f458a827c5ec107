"""Encrypted DuckDB stores: open, use, close.

Every DuckDB file under ``$TIERING_HOME`` (warehouse, vault, governance store,
published artefacts) is encrypted with AES-GCM under a key of its own (see
:mod:`orchestration.security.keys`). A store is opened by attaching it to an
in-memory DuckDB with its key and making it the default catalog, so SQL written
for the plain file (``raw.customers``) works unchanged.

DuckDB writes encrypted files only with OpenSSL, which comes with the httpfs
extension: it is loaded from the file of the ``duckdb-extension-httpfs`` pip
package on every connection, so nothing is installed or downloaded at run time.

A connection that holds a key can show it to SQL (``duckdb_databases()`` lists the
ATTACH options): only the project's own SQL runs on these connections.

Every DuckDB connection of the product is made by :func:`new_connection`, which
applies the memory limit, thread count and spill folder in force
(:class:`orchestration.settings.DuckDBSettings`), so no connection falls back to
DuckDB's default of 80 % of the machine's memory.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from orchestration.settings import DuckDBSettings, current_duckdb_settings

log = logging.getLogger(__name__)

LOCK_RETRY_DELAYS_S: tuple[float, ...] = (0.5, 1, 2, 4, 8, 15)
#: files and folders created under $TIERING_HOME are private to the owner and group.
HOME_UMASK = 0o027


@functools.cache
def httpfs_file() -> str:
    from orchestration.setup_duckdb import extension_file

    return str(extension_file())


def sha256_file(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB blocks (artefacts, backups, reviews)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def attach_sql(path: Path, key: str, alias: str, *, read_only: bool = False) -> str:
    """The ATTACH statement of an encrypted store (never logged: it holds the key)."""
    options = f"encryption_key {literal(key)}" + (", read_only" if read_only else "")
    return f"attach {literal(str(path))} as {alias} ({options})"


def load_httpfs(con: duckdb.DuckDBPyConnection) -> None:
    """Load the httpfs extension (OpenSSL, needed to write encrypted files) from the file
    of its pip package: nothing is downloaded. Also used by the dbt plugin."""
    con.execute(f"load {literal(httpfs_file())}")


#: numbers the connections of this process: each spills into a folder of its own.
_CONNECTIONS = itertools.count(1)


def connect_duckdb(
    database: str = ":memory:",
    *,
    read_only: bool = False,
    settings: DuckDBSettings | None = None,
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` with the DuckDB settings in force (or ``settings``): the one
    place the product opens a DuckDB database."""
    settings = settings or current_duckdb_settings()
    owner = f"{os.getpid()}-{next(_CONNECTIONS)}"
    return duckdb.connect(database, read_only=read_only, config=settings.connection_config(owner))


def new_connection(
    *, writes: bool = True, settings: DuckDBSettings | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the settings in force; able to write encrypted files
    unless ``writes`` is False (reading needs no OpenSSL, and loading it costs ~0.1 s
    a connection)."""
    con = connect_duckdb(settings=settings)
    if writes:
        load_httpfs(con)
    # No progress bar: it would interleave with the job's own log lines.
    con.execute("set enable_progress_bar = false")
    return con


@contextlib.contextmanager
def open_store(
    path: Path,
    key: str,
    *,
    alias: str | None = None,
    read_only: bool = False,
    retry_delays: tuple[float, ...] = LOCK_RETRY_DELAYS_S,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the encrypted store ``path`` (created when absent and not read-only) as
    the default catalog ``alias`` (default: the file's stem), retrying transient lock
    conflicts, and always close it."""
    path = Path(path)
    alias = alias or path.stem
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    con = new_connection(writes=not read_only)
    try:
        attempt = 0
        while True:
            try:
                con.execute(attach_sql(path, key, alias, read_only=read_only))
                break
            except duckdb.IOException as exc:
                if not _is_lock_conflict(exc) or attempt >= len(retry_delays):
                    raise
                delay = retry_delays[attempt]
                attempt += 1
                log.warning(
                    "%s is locked (%s); retry %d in %.1fs",
                    path,
                    str(exc).splitlines()[0],
                    attempt,
                    delay,
                )
                time.sleep(delay)
        con.execute(f"use {alias}")
        yield con
    finally:
        con.close()


def remove_other_access(root: Path) -> None:
    """Take every permission for others off ``root`` and everything under it."""
    root = Path(root)
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            _restrict(Path(folder) / name)
    _restrict(root)


def _restrict(path: Path) -> None:
    if path.is_symlink() or not path.exists():
        return
    mode = path.stat().st_mode & 0o7777
    if mode & 0o007:
        os.chmod(path, mode & ~0o007)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by its owner only (0600), also when the
    file existed with a wider mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def make_private(home: Path) -> None:
    """Create files private from now on (umask 027) and take every permission for
    others off what already is under ``home`` (a home written by an older version)."""
    os.umask(HOME_UMASK)
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    remove_other_access(home)
