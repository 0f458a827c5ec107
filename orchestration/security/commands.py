"""The work behind ``tiering access …``, ``tiering backup`` and ``tiering restore``.

Argument parsing is in :mod:`orchestration.cli`; each function here takes plain
values, prints what the operator needs and returns the exit code. A refusal is
printed on stderr with its reason and exits 1. No output holds a key, except
``tiering access key`` for a principal with an active grant.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from pathlib import Path

import duckdb

from orchestration.security import access, access_log, backup, governance, review
from orchestration.security.keys import PURPOSES, KeyProblem, env_name
from orchestration.security.stores import make_private
from orchestration.settings import Paths

#: the refusals and problems a command reports as a message (exit 1), not a traceback.
EXPECTED = (
    governance.GovernanceError,
    review.ReviewProblem,
    access.AccessRefused,
    backup.BackupProblem,
    backup.RestoreRefused,
    access_log.LogProblem,
    KeyProblem,
)


def _fail(message: str) -> int:
    print(f"tiering: {message}", file=sys.stderr)
    return 1


def _scrubbed(paths: Paths, text: str) -> str:
    """``text`` with every key of the home replaced: a DuckDB error can quote the
    ATTACH statement, which holds a store's key."""
    keys = [os.environ.get(env_name(purpose), "").strip() for purpose in PURPOSES]
    for path in sorted(Path(paths.keys).glob("*.key")):
        with contextlib.suppress(OSError):
            keys.append(path.read_text(encoding="utf-8").strip())
    for key in filter(None, keys):
        text = text.replace(key, "***")
    return text


def guarded(action, paths: Paths, *args, **kwargs) -> int:
    """Run a command with the home's files private; report a refusal or a store that
    cannot be opened as a message (exit 1), never with a key in it."""
    make_private(paths.home)
    try:
        return action(paths, *args, **kwargs)
    except EXPECTED as exc:
        return _fail(_scrubbed(paths, str(exc)))
    except duckdb.Error as exc:
        return _fail(_scrubbed(paths, f"{type(exc).__name__}: {exc}"))


def principal(
    paths: Paths,
    principal_id: str,
    name: str,
    department: str,
    designated: bool,
    training_until: dt.date | None,
    head: bool = False,
) -> int:
    p = governance.add_principal(
        paths,
        principal_id,
        name,
        department,
        designated_for_a=designated,
        training_valid_until=training_until,
        department_head=head,
    )
    print(
        f"principal {p.principal_id} ({p.name}, {p.department})"
        + (", head of the department" if p.department_head else "")
        + (", designated for class A" if p.designated_for_a else "")
        + (f", training valid until {p.training_valid_until}" if p.training_valid_until else "")
    )
    return 0


def request(
    paths: Paths,
    grantee: str,
    clearance: str,
    by: str,
    purpose: str,
    expires: dt.date | None,
) -> int:
    grant_id = governance.request_grant(paths, grantee, clearance, by, purpose, expires_on=expires)
    needs = " and ".join(governance.REQUIRED_ROLES[clearance])
    print(f"grant {grant_id} requested: {clearance} for {grantee}; needs {needs} approval")
    return 0


def approve(paths: Paths, grant_id: str, by: str, role: str) -> int:
    active, reasons = governance.approve(paths, grant_id, by, role)
    status = "active" if active else "not active yet: " + "; ".join(reasons)
    print(f"grant {grant_id}: {role} approval by {by} recorded; {status}")
    return 0


def revoke(paths: Paths, grant_id: str, by: str, reason: str) -> int:
    governance.revoke(paths, grant_id, by, reason)
    print(f"grant {grant_id} revoked; its clearance key is rotated at the next publication")
    return 0


def list_grants(paths: Paths) -> int:
    today = governance.business_today()
    principals = governance.principals(paths)
    print(f"principals ({len(principals)}):")
    for p in principals.values():
        extra = []
        if p.department_head:
            extra.append("department head")
        if p.designated_for_a:
            extra.append("designated for A")
        if p.training_valid_until:
            extra.append(f"training until {p.training_valid_until}")
        print(f"  {p.principal_id}  {p.name}  [{p.department}]  {', '.join(extra)}".rstrip())
    views = governance.list_grants(paths, today)
    print(f"grants ({len(views)}), status on {today}:")
    for v in views:
        g = v.grant
        approvals = ", ".join(f"{a.role}:{a.approver}" for a in v.approvals) or "none"
        status = "ACTIVE" if v.active else "inactive: " + "; ".join(v.reasons)
        print(
            f"  {g.grant_id}  {g.clearance} ({governance.INFO_CLASS[g.clearance]})  "
            f"grantee {g.grantee}  requested by {g.requested_by}  expires {g.expires_on}  "
            f"approvals {approvals}  purpose {g.purpose!r}  {status}"
        )
    pending = governance.pending_rotations(paths)
    if pending:
        print(f"key rotations pending at the next publication: {', '.join(pending)}")
    return 0


def key(paths: Paths, clearance: str, principal_id: str) -> int:
    print(access.release_key(paths, principal_id, clearance))
    return 0


def reveal(paths: Paths, customer_id: str, purpose: str, principal_id: str) -> int:
    values = access.reveal_customer(paths, principal_id, customer_id, purpose)
    print(f"customer {customer_id} (class A values, access logged):")
    for column, value in values.items():
        print(f"  {column}: {value}")
    return 0


def verify(paths: Paths) -> int:
    result = access_log.verify(paths)
    if result.ok:
        print(f"access log ok: {result.message}; head {result.head_hash}")
        return 0
    where = "" if result.first_bad_seq is None else f"first bad entry {result.first_bad_seq}: "
    print(f"access log FAILED: {where}{result.message}")
    return 1


def attest(paths: Paths, principal_id: str, review_date: dt.date | None) -> int:
    attested = review.attest(paths, principal_id, review_date)
    print(f"review of {attested} attested by {principal_id}")
    return 0


def write_review(paths: Paths, review_date: dt.date | None) -> int:
    md_path, csv_path = review.write_review(paths, review_date, actor=governance.os_user())
    print(f"review written: {md_path} and {csv_path}")
    return 0


def backup_to(paths: Paths, to: Path) -> int:
    manifest_path = backup.backup(paths, to)
    print(f"backup written: {manifest_path}")
    return 0


def restore_from(paths: Paths, from_: Path) -> int:
    manifest = backup.restore(paths, from_)
    stores = ", ".join(backup.restored_names(manifest))
    print(f"restored {stores} from the backup of {manifest['created_at']}")
    return 0
