"""Short-lived DuckDB connections to the working warehouse.

DuckDB allows one read-write process per file, and dbt runs in a subprocess, so no
connection may stay open across steps: open, use, close. A lock held by another
process (a second run, an operator's shell) is usually brief, so opening retries
with exponential backoff before giving up with a message that says what holds it.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

LOCK_RETRY_DELAYS_S: tuple[float, ...] = (0.5, 1, 2, 4, 8, 15)


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


@contextlib.contextmanager
def connect(
    path: Path, *, read_only: bool = False, retry_delays: tuple[float, ...] = LOCK_RETRY_DELAYS_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open ``path``, retrying transient lock conflicts, and always close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    attempt = 0
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc) or attempt >= len(retry_delays):
                raise
            delay = retry_delays[attempt]
            attempt += 1
            log.warning(
                "warehouse %s is locked (%s); retry %d in %.1fs",
                path,
                str(exc).splitlines()[0],
                attempt,
                delay,
            )
            time.sleep(delay)
    # No progress bar: it would interleave with the job's own log lines.
    con.execute("set enable_progress_bar = false")
    try:
        yield con
    finally:
        con.close()


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextlib.contextmanager
def exclusive_run(home: Path, say=print) -> Iterator[None]:
    """Hold ``$TIERING_HOME/.run.lock`` for a whole run, so two ``tiering run`` processes
    never write one warehouse together; the second waits for the first.

    The lock is an OS file lock: it is released when the process ends, even when it
    is killed, so a crashed run never leaves a stale lock behind.
    """
    import fcntl

    home.mkdir(parents=True, exist_ok=True)
    with (home / ".run.lock").open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"another run holds {home / '.run.lock'}; waiting for it to finish")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
