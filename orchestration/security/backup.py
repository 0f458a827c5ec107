"""Backup, restore and the restore drill of the home's encrypted stores.

A backup folder holds a copy of each store that exists (warehouse, vault,
governance), still encrypted with its own key, and ``manifest.json``: the SHA-256 of
each copy, a fingerprint of each table (row count and an order-independent hash of
its rows, computed by opening the copy), the head of the access log chain, and an
HMAC of all that with the ``audit`` key. Keys are never in a backup: they are backed
up apart from the data (a backup and its keys together are the data in clear).

:func:`restore` checks everything before it changes anything: the manifest's MAC,
each file's SHA-256, that each copy opens with the home's key and has the recorded
fingerprints, that the backed-up access log chain is intact; only then does it swap
the files in (``os.replace`` from a staged copy next to each target). A flipped
byte, a missing file or another home's keys stop it with :class:`RestoreRefused`
and leave the home as it was. Stop the job before restoring: a store held open by
another process is refused.

The :func:`restore_drill` (a monthly Dagster asset) backs up into a temporary folder,
restores into a temporary home and compares the fingerprints; the review reports
the last drill from the access log.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from orchestration.security import access_log, governance
from orchestration.security.keys import KeyProblem, KeyStore
from orchestration.security.stores import open_store, sha256_file, write_private
from orchestration.settings import Paths
from orchestration.warehouse import quote_ident

MANIFEST = "manifest.json"
FORMAT = 1
#: (store name = key purpose = catalog alias, Paths attribute), in backup order.
STORES: tuple[tuple[str, str], ...] = (
    ("warehouse", "warehouse"),
    ("vault", "vault"),
    ("governance", "governance"),
)


class BackupProblem(RuntimeError):
    """A backup that cannot be made; nothing usable was written."""


class RestoreRefused(RuntimeError):
    """A backup that does not check out; the home was not changed."""


@dataclass(frozen=True)
class DrillResult:
    ok: bool
    message: str
    stores: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0


def table_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """``schema.table`` -> row count and an order-independent hash of the rows (the
    sum of a 64-bit MD5 of each row's JSON) for every table of the current catalog."""
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where database_name = current_database() order by 1, 2"
    ).fetchall()
    prints: dict[str, dict[str, Any]] = {}
    for schema, table in tables:
        rows, digest = con.execute(
            "select count(*), coalesce(sum(md5_number_lower(to_json(t)::varchar)), 0)::varchar "
            f"from {quote_ident(schema)}.{quote_ident(table)} t"
        ).fetchone()
        prints[f"{schema}.{table}"] = {"rows": int(rows), "hash": digest}
    return prints


def store_fingerprints(path: Path, key_text: str, alias: str) -> dict[str, dict[str, Any]]:
    """The table fingerprints of the encrypted store ``path`` (opened read-only)."""
    with open_store(path, key_text, alias=alias, read_only=True) as con:
        access_log.no_python_scans(con)
        return table_fingerprints(con)


def _manifest_mac(audit_key: bytes, manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "mac"}
    return hmac.new(
        audit_key, access_log.canonical_json(body).encode("utf-8"), hashlib.sha256
    ).hexdigest()


def _log_head(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    row = con.execute("select seq, entry_hash from access_log order by seq desc limit 1").fetchone()
    return {"seq": int(row[0]), "entry_hash": row[1]} if row else {"seq": 0}


def backup(paths: Paths, to: Path, *, log: bool = True, actor: str | None = None) -> Path:
    """Copy every store of the home that exists into ``to`` (absent or empty) with a
    signed manifest; return the manifest's path. Logs ``backup``."""
    to = Path(to)
    if to.exists() and any(to.iterdir()):
        raise BackupProblem(f"{to} is not empty: back up into a new folder")
    keys = KeyStore(paths.home)
    present = [(name, Path(getattr(paths, attr))) for name, attr in STORES]
    present = [(name, path) for name, path in present if path.exists()]
    if not present:
        raise BackupProblem(f"{paths.home} has no store to back up")
    to.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(to, 0o700)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": access_log.now_utc().isoformat(timespec="seconds") + "Z",
        "stores": {},
    }
    for name, path in present:
        copy = to / path.name
        try:
            key = keys.text(name)
            # The store stays open (locked against other writers) while it is copied;
            # CHECKPOINT first so the file holds everything and no WAL is needed.
            with open_store(path, key, alias=name) as con:
                access_log.no_python_scans(con)
                con.execute(f"checkpoint {name}")
                shutil.copyfile(path, copy)
            os.chmod(copy, 0o600)
            prints = store_fingerprints(copy, key, name)
            head = None
            if name == "governance":
                with open_store(copy, key, alias=name, read_only=True) as con:
                    access_log.no_python_scans(con)
                    head = _log_head(con)
        except (duckdb.Error, KeyProblem, OSError) as exc:
            shutil.rmtree(to, ignore_errors=True)
            raise BackupProblem(f"cannot back up {path} with the {name} key: {exc}") from exc
        manifest["stores"][name] = {
            "file": path.name,
            "sha256": sha256_file(copy),
            "bytes": copy.stat().st_size,
            "tables": prints,
            **({"log_head": head} if head is not None else {}),
        }
    manifest["mac"] = _manifest_mac(keys.key("audit"), manifest)
    manifest_path = to / MANIFEST
    write_private(manifest_path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    if log:
        access_log.append(
            paths,
            "backup",
            actor or governance.os_user(),
            {
                "to": str(to.resolve()),
                "manifest_sha256": sha256_file(manifest_path),
                "stores": {n: s["sha256"] for n, s in manifest["stores"].items()},
            },
        )
    return manifest_path


def _refuse(message: str) -> RestoreRefused:
    return RestoreRefused(f"restore refused, nothing was changed: {message}")


def _assert_not_in_use(target: Path) -> None:
    """Refuse a store another process holds open (DuckDB keeps an fcntl lock on it)."""
    if not target.exists():
        return
    fd = os.open(target, os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
    except OSError as exc:
        raise _refuse(f"{target} is open in another process (stop the job first)") from exc
    finally:
        os.close(fd)


def _check_manifest(from_: Path, audit_key: bytes) -> dict[str, Any]:
    manifest_path = from_ / MANIFEST
    if not manifest_path.exists():
        raise _refuse(f"{manifest_path} is missing")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise _refuse(f"{manifest_path} is not a readable manifest: {exc}") from exc
    if not isinstance(manifest, dict) or not hmac.compare_digest(
        str(manifest.get("mac", "")), _manifest_mac(audit_key, manifest)
    ):
        raise _refuse(
            f"the MAC of {manifest_path} does not match this home's audit key: the backup "
            "was edited or made with another home's keys"
        )
    if manifest.get("format") != FORMAT or not manifest.get("stores"):
        raise _refuse(f"{manifest_path} has no stores of format {FORMAT}")
    return manifest


def _staging(target: Path) -> Path:
    return target.with_name(f".{target.name}.restore-{os.getpid()}")


def _stage(name: str, entry: dict[str, Any], from_: Path, target: Path, keys: KeyStore) -> Path:
    """Copy one store next to its target and check it; return the staged file."""
    if entry.get("file") != target.name:
        raise _refuse(f"the {name} store of the manifest is {entry.get('file')!r}")
    source = from_ / target.name
    if not source.exists():
        raise _refuse(f"{source} is missing")
    if sha256_file(source) != entry["sha256"]:
        raise _refuse(f"{source} does not match its SHA-256 in the manifest (corrupted)")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    staged = _staging(target)
    shutil.copyfile(source, staged)
    os.chmod(staged, 0o600)
    if sha256_file(staged) != entry["sha256"]:
        raise _refuse(f"the copy of {source} at {staged} differs from the backup")
    try:
        key = keys.text(name)
        with open_store(staged, key, alias=name, read_only=True) as con:
            access_log.no_python_scans(con)
            prints = table_fingerprints(con)
            if name == "governance":
                result = access_log.verify_chain(
                    con, keys.key("audit"), _head_of(entry, keys.key("audit"))
                )
                if not result.ok:
                    raise _refuse(f"the backed-up access log is broken: {result.message}")
    except (duckdb.Error, KeyProblem) as exc:
        raise _refuse(
            f"{source} does not open with this home's {name} key (another home's keys?): "
            f"{str(exc).splitlines()[0]}"
        ) from exc
    if prints != entry["tables"]:
        differ = sorted(
            t for t in set(prints) | set(entry["tables"]) if prints.get(t) != entry["tables"].get(t)
        )
        raise _refuse(f"the {name} store's tables differ from the manifest: {', '.join(differ)}")
    return staged


def _head_of(entry: dict[str, Any], audit_key: bytes) -> dict[str, Any]:
    """The manifest's log head in the form of ``log_head.json`` (the manifest's MAC
    already vouches for it)."""
    head = entry.get("log_head") or {"seq": 0}
    seq = int(head.get("seq", 0))
    entry_hash = head.get("entry_hash", access_log.GENESIS_HASH)
    return {
        "seq": seq,
        "entry_hash": entry_hash,
        "mac": access_log.head_mac(audit_key, seq, entry_hash),
    }


def restored_names(manifest: dict[str, Any]) -> list[str]:
    """The stores of a manifest, in backup order."""
    return [name for name, _ in STORES if name in manifest["stores"]]


def _restore(
    paths: Paths, from_: Path, keys: KeyStore
) -> tuple[dict[str, Any], dict[str, dict[str, dict[str, Any]]]]:
    """Check and swap in; return (manifest, fingerprints of the swapped-in stores)."""
    from_ = Path(from_)
    manifest = _check_manifest(from_, keys.key("audit"))
    targets = {name: Path(getattr(paths, attr)) for name, attr in STORES}
    unknown = set(manifest["stores"]) - set(targets)
    if unknown:
        raise _refuse(f"unknown stores in the manifest: {', '.join(sorted(unknown))}")
    names = restored_names(manifest)
    staged: list[tuple[Path, Path]] = []
    try:
        for name in names:
            staged.append(
                (_stage(name, manifest["stores"][name], from_, targets[name], keys), targets[name])
            )
        for _, target in staged:
            _assert_not_in_use(target)
    except BaseException:
        for name in manifest["stores"]:
            _staging(targets[name]).unlink(missing_ok=True)
        raise
    _swap_in(paths, staged)
    restored = {
        name: store_fingerprints(targets[name], keys.text(name), name)
        for name in manifest["stores"]
    }
    return manifest, restored


def journal_path(paths: Paths) -> Path:
    """Written before the first checked store is swapped in, removed after the last."""
    return Path(paths.home) / ".restore-journal.json"


def _swap_in(paths: Paths, staged: list[tuple[Path, Path]]) -> None:
    journal = journal_path(paths)
    tmp = journal.with_name(journal.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump([[str(stage), str(target)] for stage, target in staged], f)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, journal)
    _roll_forward(paths)


def _roll_forward(paths: Paths) -> list[str]:
    journal = journal_path(paths)
    if not journal.exists():
        return []
    swapped = []
    for stage, target in json.loads(journal.read_text(encoding="utf-8")):
        stage, target = Path(stage), Path(target)
        if stage.exists():
            # a WAL left by a crash belongs to the file being replaced, not to the backup
            Path(f"{target}.wal").unlink(missing_ok=True)
            os.replace(stage, target)
            swapped.append(target.name)
    journal.unlink()
    return swapped


def finish_interrupted_restore(paths: Paths, *, actor: str | None = None) -> list[str]:
    """Finish the swaps of a restore that stopped between its first and last store
    (killed, disk full): every staged file was checked before the journal was
    written, so the restore is rolled forward and the stores never stay a mix of the
    backup and the home; the access log records it. Returns the files swapped in now
    (none when no restore was interrupted). Called by every restore and at the start
    of every run."""
    swapped = _roll_forward(paths)
    if swapped:
        if Path(paths.governance).name in swapped:
            with access_log.open_governance(paths, read_only=True) as con:
                access_log.sync_head(paths, con)
        access_log.append(
            paths,
            "restore",
            actor or governance.os_user(),
            {"finished_after_interruption": True, "files": swapped},
        )
    return swapped


def restore(paths: Paths, from_: Path, *, actor: str | None = None) -> dict[str, Any]:
    """Restore the stores of the backup ``from_`` into the home after checking all of
    it; return the manifest. Raises :class:`RestoreRefused` (home unchanged)."""
    finish_interrupted_restore(paths)
    previous = access_log.read_head(access_log.head_path(paths)) or {}
    manifest, _ = _restore(paths, from_, KeyStore(paths.home))
    details = {
        "from": str(Path(from_).resolve()),
        "backup_created_at": manifest["created_at"],
        "stores": {n: s["sha256"] for n, s in manifest["stores"].items()},
        "log_head_before": previous.get("seq"),
    }
    if "governance" in manifest["stores"]:
        # the restored log is the log now: its head replaces the one of the old file
        with access_log.open_governance(paths, read_only=True) as con:
            access_log.sync_head(paths, con)
        details["log_head_restored"] = manifest["stores"]["governance"]["log_head"]["seq"]
    access_log.append(paths, "restore", actor or governance.os_user(), details)
    return manifest


def restore_drill(paths: Paths, *, actor: str = "restore_drill") -> DrillResult:
    """Back up the home into a temporary folder, restore into a temporary home, and
    compare the restored stores' fingerprints with the live backup's; logs
    ``restore_drill`` with the outcome (a failed drill is recorded, not raised)."""
    started = time.monotonic()
    Path(paths.backups).mkdir(parents=True, exist_ok=True, mode=0o700)
    scratch = Path(tempfile.mkdtemp(prefix=".restore-drill-", dir=paths.backups))
    stores: dict[str, dict[str, Any]] = {}
    try:
        backup(paths, scratch / "backup", log=False)
        drill_home = scratch / "home"
        drill_paths = Paths(home=drill_home, landing=drill_home / "landing")
        manifest, restored = _restore(drill_paths, scratch / "backup", KeyStore(paths.home))
        names = restored_names(manifest)
        differ = [n for n in names if restored[n] != manifest["stores"][n]["tables"]]
        stores = {
            n: {
                "tables": len(manifest["stores"][n]["tables"]),
                "rows": sum(t["rows"] for t in manifest["stores"][n]["tables"].values()),
                "sha256": manifest["stores"][n]["sha256"],
            }
            for n in names
        }
        ok = not differ
        message = (
            f"backed up and restored {', '.join(stores)}: fingerprints identical"
            if ok
            else f"restored fingerprints differ for {', '.join(differ)}"
        )
    except (BackupProblem, RestoreRefused, duckdb.Error, KeyProblem, OSError) as exc:
        ok, message = False, f"{type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result = DrillResult(ok, message, stores, round(time.monotonic() - started, 3))
    access_log.append(
        paths,
        "restore_drill",
        actor,
        {"ok": ok, "message": message, "stores": stores, "seconds": result.seconds},
    )
    return result


def last_drill(paths: Paths) -> access_log.Entry | None:
    return access_log.last_entry(paths, "restore_drill")


__all__ = [
    "BackupProblem",
    "DrillResult",
    "RestoreRefused",
    "backup",
    "finish_interrupted_restore",
    "restore",
    "restore_drill",
    "store_fingerprints",
    "table_fingerprints",
]
