"""The access log: an append-only, hash-chained record of who got which key or value.

The table ``access_log`` lives in the governance store (``paths.governance``,
encrypted with the ``governance`` key). Each entry is chained to the one before::

    entry_hash = HMAC-SHA256(audit key, prev_hash || canonical(seq, at, kind, actor, details))

with ``prev_hash`` of the first entry 64 zeros. Without the ``audit`` key nobody can
forge an entry or re-chain the log after editing one, so :func:`verify` finds an
edited entry (its hash no longer matches), a deleted one (a gap in ``seq`` or a
``prev_hash`` that is not the hash before it) and a truncation: the head of the chain
(last ``seq`` and ``entry_hash``, with an HMAC of both) is also kept outside the
store, in ``governance/log_head.json`` (0600), rewritten after every committed append.

``details`` is canonical JSON (sorted keys, no spaces). It must never hold a key or a
clear class A value: callers log names, ids, hashes and purposes only. ``at`` is UTC.

Writing:

- ``append(paths, kind, actor, details)`` opens the store, appends in a transaction
  of its own, commits and moves the head;
- inside :func:`transaction` (the governance functions' own writes),
  ``append(paths, ..., con=con)`` appends on that connection; the head moves when
  the transaction commits. A caller that commits a connection of its own calls
  :func:`sync_head` after the commit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from orchestration.security.keys import KeyStore
from orchestration.security.stores import open_store
from orchestration.settings import Paths

GENESIS_HASH = "0" * 64
HEAD_FILE = "log_head.json"
#: the kinds of entries; ``append`` refuses any other (a typo would hide an entry
#: from the review).
KINDS = frozenset(
    {
        "publication",
        "key_release",
        "key_refused",
        "reveal",
        "reveal_refused",
        "grant_request",
        "grant_approval",
        "grant_revocation",
        "principal_added",
        "review_written",
        "review_attestation",
        "backup",
        "restore",
        "restore_drill",
        "key_rotation",
    }
)

_LOG_COLUMNS = """(
  seq bigint primary key,
  "at" timestamp not null,
  kind varchar not null,
  actor varchar not null,
  details varchar not null,
  prev_hash varchar not null,
  entry_hash varchar not null
)"""
DDL = f"create table if not exists access_log {_LOG_COLUMNS};"
#: an empty log for a read-only connection to a store that has no log table yet
_EMPTY_LOG_DDL = f"create temp table access_log {_LOG_COLUMNS};"


class LogProblem(RuntimeError):
    """An entry that cannot be written (unknown kind, details that are not JSON)."""


@dataclass(frozen=True)
class Entry:
    seq: int
    at: dt.datetime
    kind: str
    actor: str
    details: dict[str, Any] = field(default_factory=dict)
    entry_hash: str = ""


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head_hash: str
    first_bad_seq: int | None
    message: str


# -- canonical form and hashes ---------------------------------------------------------


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def canonical_json(value: object) -> str:
    """JSON with sorted keys and no spaces: one text per value."""
    try:
        return json.dumps(
            value,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            default=_json_default,
            allow_nan=False,
        )
    except (TypeError, ValueError) as exc:
        raise LogProblem(f"log details must be plain JSON: {exc}") from exc


def _timestamp(at: dt.datetime) -> str:
    return at.isoformat(sep=" ", timespec="microseconds")


def compute_hash(
    audit_key: bytes, prev_hash: str, seq: int, at: dt.datetime, kind: str, actor: str, details: str
) -> str:
    """The entry hash: HMAC-SHA256(audit key, prev_hash || canonical entry)."""
    body = canonical_json(
        {"seq": seq, "at": _timestamp(at), "kind": kind, "actor": actor, "details": details}
    )
    return hmac.new(audit_key, (prev_hash + body).encode("utf-8"), hashlib.sha256).hexdigest()


def head_mac(audit_key: bytes, seq: int, entry_hash: str) -> str:
    return hmac.new(audit_key, f"{seq}|{entry_hash}".encode(), hashlib.sha256).hexdigest()


def now_utc() -> dt.datetime:
    """The current UTC time, naive (as stored in ``at``), to the microsecond."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# -- the store -------------------------------------------------------------------------


def head_path(paths: Paths) -> Path:
    return Path(paths.governance).parent / HEAD_FILE


def _private_dir(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)


def no_python_scans(con: duckdb.DuckDBPyConnection) -> None:
    """Make a missing table an error, not a scan of a Python variable of that name."""
    con.execute("set python_enable_replacements = false")


@contextlib.contextmanager
def open_governance(
    paths: Paths, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The governance store with the log table: read-write (created when absent), or
    ``read_only`` for what only reads the log (an existing store; a log table it does
    not have yet reads as empty)."""
    _private_dir(Path(paths.governance).parent)
    key = KeyStore(paths.home).text("governance")
    try:
        with open_store(paths.governance, key, alias="governance", read_only=read_only) as con:
            no_python_scans(con)
            if not read_only:
                con.execute(DDL)
            elif not con.execute(
                "select 1 from duckdb_tables() where database_name = 'governance' "
                "and schema_name = 'main' and table_name = 'access_log'"
            ).fetchone():
                con.execute(_EMPTY_LOG_DDL)
            yield con
    finally:
        if Path(paths.governance).exists():
            os.chmod(paths.governance, 0o600)


@contextlib.contextmanager
def transaction(paths: Paths) -> Iterator[duckdb.DuckDBPyConnection]:
    """The governance store in one transaction: committed when the block ends, rolled
    back on an exception; the chain head moves after the commit."""
    with open_governance(paths) as con:
        con.execute("begin transaction")
        try:
            yield con
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
        sync_head(paths, con)


def _last(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    row = con.execute("select seq, entry_hash from access_log order by seq desc limit 1").fetchone()
    return (int(row[0]), row[1]) if row else (0, GENESIS_HASH)


def append(
    paths: Paths,
    kind: str,
    actor: str,
    details: Mapping[str, Any],
    *,
    con: duckdb.DuckDBPyConnection | None = None,
) -> str:
    """Append one entry and return its hash. With ``con`` (a connection to the
    governance store inside :func:`transaction`) the entry is part of the caller's
    transaction; without it the entry is committed at once."""
    if kind not in KINDS:
        raise LogProblem(f"unknown access log kind {kind!r} (one of {', '.join(sorted(KINDS))})")
    if not isinstance(actor, str) or not actor.strip():
        raise LogProblem("an access log entry needs an actor")
    details_json = canonical_json(dict(details))
    audit_key = KeyStore(paths.home).key("audit")
    if con is None:
        with transaction(paths) as own:
            return _insert(own, audit_key, kind, actor.strip(), details_json)
    return _insert(con, audit_key, kind, actor.strip(), details_json)


def _insert(
    con: duckdb.DuckDBPyConnection, audit_key: bytes, kind: str, actor: str, details_json: str
) -> str:
    last_seq, prev_hash = _last(con)
    seq, at = last_seq + 1, now_utc()
    entry_hash = compute_hash(audit_key, prev_hash, seq, at, kind, actor, details_json)
    con.execute(
        "insert into access_log values (?, ?, ?, ?, ?, ?, ?)",
        [seq, at, kind, actor, details_json, prev_hash, entry_hash],
    )
    return entry_hash


def sync_head(paths: Paths, con: duckdb.DuckDBPyConnection) -> None:
    """Write the chain head of the committed log to ``log_head.json`` (0600)."""
    seq, entry_hash = _last(con)
    audit_key = KeyStore(paths.home).key("audit")
    payload = {"seq": seq, "entry_hash": entry_hash, "mac": head_mac(audit_key, seq, entry_hash)}
    target = head_path(paths)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(canonical_json(payload) + "\n")
    os.replace(tmp, target)


def read_head(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def entries(
    paths: Paths,
    kinds: tuple[str, ...] | None = None,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
) -> list[Entry]:
    """The entries of the log (of ``kinds``), oldest first; none without a store."""
    if con is None:
        if not Path(paths.governance).exists():
            return []
        with open_governance(paths, read_only=True) as own:
            return entries(paths, kinds, con=own)
    sql = 'select seq, "at", kind, actor, details, entry_hash from access_log'
    params: list[Any] = []
    if kinds:
        sql += f" where kind in ({', '.join('?' for _ in kinds)})"
        params = list(kinds)
    rows = con.execute(sql + " order by seq", params).fetchall()
    return [Entry(s, a, k, actor, json.loads(d), h) for s, a, k, actor, d, h in rows]


def last_entry(paths: Paths, kind: str, *, con: duckdb.DuckDBPyConnection | None = None):
    """The latest entry of ``kind``, or None."""
    found = entries(paths, (kind,), con=con)
    return found[-1] if found else None


# -- verification ----------------------------------------------------------------------


def verify_chain(
    con: duckdb.DuckDBPyConnection, audit_key: bytes, head: Mapping[str, Any] | None
) -> VerifyResult:
    """Recompute the chain of the log on ``con`` and compare its end with ``head``
    (the content of ``log_head.json``; None when there is none)."""
    rows = con.execute(
        'select seq, "at", kind, actor, details, prev_hash, entry_hash from access_log order by seq'
    ).fetchall()
    expected_seq, prev = 1, GENESIS_HASH
    for seq, at, kind, actor, details, prev_hash, entry_hash in rows:
        if seq != expected_seq:
            return VerifyResult(
                False,
                len(rows),
                prev,
                expected_seq,
                f"entry {expected_seq} is missing (the entry after {expected_seq - 1} is {seq})",
            )
        if prev_hash != prev:
            return VerifyResult(
                False,
                len(rows),
                prev,
                seq,
                f"entry {seq} ({kind}) does not follow the entry before it: an entry before "
                "it was removed or replaced",
            )
        if compute_hash(audit_key, prev_hash, seq, at, kind, actor, details) != entry_hash:
            return VerifyResult(
                False,
                len(rows),
                prev,
                seq,
                f"entry {seq} ({kind} by {actor} at {_timestamp(at)}) was changed after it "
                "was written",
            )
        expected_seq, prev = seq + 1, entry_hash
    last_seq = expected_seq - 1
    if head is None:
        if rows:
            return VerifyResult(
                False,
                len(rows),
                prev,
                None,
                f"{HEAD_FILE} is missing: the end of the log cannot be checked for truncation",
            )
        return VerifyResult(True, 0, prev, None, "the access log is empty")
    try:
        head_seq, head_hash = int(head["seq"]), str(head["entry_hash"])
        head_ok = hmac.compare_digest(head_mac(audit_key, head_seq, head_hash), str(head["mac"]))
    except (KeyError, TypeError, ValueError):
        head_ok = False
    if not head_ok:
        return VerifyResult(
            False, len(rows), prev, None, f"{HEAD_FILE} was changed (its MAC does not match)"
        )
    if head_seq > last_seq:
        return VerifyResult(
            False,
            len(rows),
            prev,
            last_seq + 1,
            f"the log was truncated: it ends at entry {last_seq} but its head records entry "
            f"{head_seq}; entries {last_seq + 1}..{head_seq} are missing",
        )
    if head_seq > 0:
        at_head = next(r for r in rows if r[0] == head_seq)
        if at_head[6] != head_hash:
            return VerifyResult(
                False,
                len(rows),
                prev,
                head_seq,
                f"entry {head_seq} is not the entry recorded as the head of the chain",
            )
    return VerifyResult(
        True, len(rows), prev, None, f"{len(rows)} entries, chain intact up to entry {last_seq}"
    )


def verify(paths: Paths) -> VerifyResult:
    """Check the whole chain of the home's access log and its head file."""
    head = read_head(head_path(paths))
    if not Path(paths.governance).exists():
        if head and int(head.get("seq", 0)) > 0:
            return VerifyResult(
                False,
                0,
                GENESIS_HASH,
                1,
                f"the governance store {paths.governance} is missing but {HEAD_FILE} records "
                f"{head.get('seq')} entries",
            )
        return VerifyResult(True, 0, GENESIS_HASH, None, "no access log yet")
    audit_key = KeyStore(paths.home).key("audit")
    with open_governance(paths, read_only=True) as con:
        return verify_chain(con, audit_key, head)
