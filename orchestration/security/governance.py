"""Grants of access to customer information (the seed's 客户信息分级授权管理制度).

A clearance opens one class of information: ``general`` = class C, ``confidential``
= class B, ``restricted`` = class A. A grant is active when the approval chain of its
class is complete (:func:`grant_status`, a pure function):

- **C** (general): approved (role ``department``) by someone of the grantee's
  department;
- **B** (confidential): requested by the head of the grantee's department (相关部门
  负责人提出申请), approved (role ``security``) by someone of the information
  security department, and the grantee's training is valid;
- **A** (restricted): requested by the head of the grantee's department, approved by
  information security (role ``security``) **and** by IT (role ``it``), and the
  grantee is designated for class A;
- every class: not expired, not revoked; requester, each approver and grantee are
  different people, all known principals.

A higher clearance does not imply a lower one: the published artefacts are
separate (``restricted`` holds the rows of class A customers, not the class C
cells of everybody), each with a key of its own, so each needs a grant of its own.

Principals, grant requests, approvals, revocations and pending key rotations live in
the governance store (``paths.governance``, encrypted with the ``governance`` key)
next to the access log; every change is logged in the same transaction as the
change. The status is always computed from the current principals (a grantee who
moves department loses the department's grants; a lapsed training suspends class B
grants until it is renewed with :func:`add_principal`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import duckdb

from orchestration.security import access_log
from orchestration.security.keys import CLEARANCES, KeyStore
from orchestration.settings import BUSINESS_TZ, Paths

#: departments whose principals approve the ``security`` and ``it`` roles.
SECURITY_DEPARTMENT = "information_security"
IT_DEPARTMENT = "it"
ROLES: tuple[str, ...] = ("department", "security", "it")
#: the information class each clearance opens.
INFO_CLASS = {"general": "C", "confidential": "B", "restricted": "A"}
#: approvals each clearance needs.
#: clearances whose request must come from the head of the grantee's department.
HEAD_REQUESTS: tuple[str, ...] = ("confidential", "restricted")
REQUIRED_ROLES: dict[str, tuple[str, ...]] = {
    "general": ("department",),
    "confidential": ("security",),
    "restricted": ("security", "it"),
}
#: default (and longest) validity of a grant: the more sensitive the class, the
#: sooner it is asked for again.
VALIDITY_DAYS = {"general": 365, "confidential": 180, "restricted": 90}

DDL = """
create table if not exists principals (
  principal_id varchar primary key,
  name varchar not null,
  department varchar not null,
  designated_for_a boolean not null default false,
  training_valid_until date,
  added_at timestamp not null,
  department_head boolean not null default false
);
-- a store of an earlier version: the department head flag came later
alter table principals add column if not exists department_head boolean default false;
create table if not exists grant_requests (
  grant_id varchar primary key,
  grantee varchar not null,
  clearance varchar not null,
  requested_by varchar not null,
  purpose varchar not null,
  requested_at timestamp not null,
  expires_on date not null
);
create table if not exists approvals (
  grant_id varchar not null,
  approver varchar not null,
  role varchar not null,
  approved_at timestamp not null,
  primary key (grant_id, role)
);
create table if not exists revocations (
  grant_id varchar primary key,
  revoked_by varchar not null,
  reason varchar not null,
  revoked_at timestamp not null
);
create table if not exists key_rotations (
  clearance varchar not null,
  requested_at timestamp not null,
  reason varchar,
  done_at timestamp
);
"""


class GovernanceError(ValueError):
    """A governance action that the rules refuse; the message says why."""


@dataclass(frozen=True)
class Principal:
    principal_id: str
    name: str
    department: str
    designated_for_a: bool = False
    training_valid_until: dt.date | None = None
    added_at: dt.datetime | None = None
    department_head: bool = False


@dataclass(frozen=True)
class Grant:
    grant_id: str
    grantee: str
    clearance: str
    requested_by: str
    purpose: str
    requested_at: dt.datetime
    expires_on: dt.date


@dataclass(frozen=True)
class Approval:
    grant_id: str
    approver: str
    role: str
    approved_at: dt.datetime | None = None


@dataclass(frozen=True)
class Revocation:
    grant_id: str
    revoked_by: str
    reason: str
    revoked_at: dt.datetime


@dataclass(frozen=True)
class GrantView:
    """A grant with its approvals, revocation and status on a day."""

    grant: Grant
    approvals: tuple[Approval, ...]
    revocation: Revocation | None
    active: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)


def business_today() -> dt.date:
    return dt.datetime.now(ZoneInfo(BUSINESS_TZ)).date()


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _norm_department(department: str) -> str:
    return department.strip().lower()


def _required_text(value: str | None, what: str) -> str:
    if value is None or not str(value).strip():
        raise GovernanceError(f"{what} is required")
    return str(value).strip()


# -- the rule --------------------------------------------------------------------------


def role_department(role: str, grantee: Principal | None) -> str | None:
    """The department an approver of ``role`` must belong to."""
    if role == "security":
        return SECURITY_DEPARTMENT
    if role == "it":
        return IT_DEPARTMENT
    if role == "department":
        return grantee.department if grantee else None
    return None


def heads_department_of(requester: Principal, grantee: Principal) -> bool:
    """Whether ``requester`` is a head of ``grantee``'s department (who requests the
    class B and A grants of its staff)."""
    return requester.department_head and requester.department == grantee.department


def grant_status(
    grant: Grant,
    principals: Mapping[str, Principal],
    approvals: Iterable[Approval],
    revoked: bool,
    today: dt.date,
) -> tuple[bool, list[str]]:
    """Whether ``grant`` is active on ``today`` and, if not, every reason why.

    ``approvals`` may hold other grants' approvals (they are ignored). Every recorded
    approval of the grant must itself be valid: one by the wrong department or by
    the grantee or requester makes the grant inactive even when another approval
    fills the role (:func:`approve` never records such an approval).
    """
    reasons: list[str] = []
    required = REQUIRED_ROLES.get(grant.clearance)
    if required is None:
        return False, [f"unknown clearance {grant.clearance!r}"]
    mine = [a for a in approvals if a.grant_id == grant.grant_id]
    grantee = principals.get(grant.grantee)

    # everybody is a known principal
    if grantee is None:
        reasons.append(f"grantee {grant.grantee!r} is not a known principal")
    requester = principals.get(grant.requested_by)
    if requester is None:
        reasons.append(f"requester {grant.requested_by!r} is not a known principal")
    elif (
        grant.clearance in HEAD_REQUESTS
        and grantee is not None
        and not heads_department_of(requester, grantee)
    ):
        reasons.append(
            f"requester {grant.requested_by!r} is not a head of the grantee's department"
            f" {grantee.department!r}; a {grant.clearance} grant is requested by the"
            " department head"
        )
    for a in mine:
        if a.approver not in principals:
            reasons.append(f"{a.role} approver {a.approver!r} is not a known principal")

    # requester, approvers and grantee are different people
    if grant.requested_by == grant.grantee:
        reasons.append(f"{grant.grantee!r} requested the grant for themself")
    seen: dict[str, str] = {}
    for a in mine:
        if a.approver == grant.grantee:
            reasons.append(f"the grantee {a.approver!r} gave the {a.role} approval")
        if a.approver == grant.requested_by:
            reasons.append(f"the requester {a.approver!r} gave the {a.role} approval")
        if a.approver in seen:
            reasons.append(
                f"{a.approver!r} gave both the {seen[a.approver]} and the {a.role} approval"
            )
        seen.setdefault(a.approver, a.role)

    # each approval comes from the department of its role
    for a in mine:
        if a.role not in ROLES:
            reasons.append(f"approval by {a.approver!r} has an unknown role {a.role!r}")
            continue
        approver = principals.get(a.approver)
        expected = role_department(a.role, grantee)
        if approver is not None and expected is not None and approver.department != expected:
            reasons.append(
                f"{a.role} approval by {a.approver!r} of department {approver.department!r}; "
                f"it must come from {expected!r}"
            )
    given = {a.role for a in mine}
    for role in required:
        if role not in given:
            reasons.append(f"{role} approval missing")

    # the class's own condition on the grantee
    if grant.clearance == "confidential" and grantee is not None:
        until = grantee.training_valid_until
        if until is None:
            reasons.append(f"grantee {grant.grantee!r} has no recorded training")
        elif until < today:
            reasons.append(f"grantee {grant.grantee!r}'s training expired on {until}")
    if grant.clearance == "restricted" and grantee is not None and not grantee.designated_for_a:
        reasons.append(f"grantee {grant.grantee!r} is not designated for class A")

    if grant.expires_on < today:
        reasons.append(f"expired on {grant.expires_on}")
    if revoked:
        reasons.append("revoked")
    return not reasons, reasons


# -- reading ---------------------------------------------------------------------------


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def _principals(con: duckdb.DuckDBPyConnection) -> dict[str, Principal]:
    rows = con.execute(
        "select principal_id, name, department, designated_for_a, training_valid_until, "
        "added_at, coalesce(department_head, false) from principals order by principal_id"
    ).fetchall()
    return {r[0]: Principal(*r) for r in rows}


def _grants(con: duckdb.DuckDBPyConnection, grant_id: str | None = None) -> list[Grant]:
    sql = (
        "select grant_id, grantee, clearance, requested_by, purpose, requested_at, expires_on "
        "from grant_requests"
    )
    params: list[str] = []
    if grant_id is not None:
        sql += " where grant_id = ?"
        params.append(grant_id)
    return [Grant(*r) for r in con.execute(sql + " order by grant_id", params).fetchall()]


def _approvals(con: duckdb.DuckDBPyConnection) -> list[Approval]:
    rows = con.execute(
        "select grant_id, approver, role, approved_at from approvals order by approved_at"
    ).fetchall()
    return [Approval(*r) for r in rows]


def _revocations(con: duckdb.DuckDBPyConnection) -> dict[str, Revocation]:
    rows = con.execute(
        "select grant_id, revoked_by, reason, revoked_at from revocations"
    ).fetchall()
    return {r[0]: Revocation(*r) for r in rows}


def _views(con: duckdb.DuckDBPyConnection, today: dt.date) -> list[GrantView]:
    principals = _principals(con)
    approvals = _approvals(con)
    revocations = _revocations(con)
    views = []
    for grant in _grants(con):
        mine = tuple(a for a in approvals if a.grant_id == grant.grant_id)
        revocation = revocations.get(grant.grant_id)
        active, reasons = grant_status(grant, principals, mine, revocation is not None, today)
        views.append(GrantView(grant, mine, revocation, active, tuple(reasons)))
    return views


@contextlib.contextmanager
def open_session(paths: Paths) -> Iterator[duckdb.DuckDBPyConnection]:
    """A transaction on the governance store with the governance tables present."""
    with access_log.transaction(paths) as con:
        ensure_schema(con)
        yield con


def principals(paths: Paths) -> dict[str, Principal]:
    with open_session(paths) as con:
        return _principals(con)


def list_grants(paths: Paths, today: dt.date | None = None) -> list[GrantView]:
    """Every grant with its approvals, revocation and status on ``today``."""
    with open_session(paths) as con:
        return _views(con, today or business_today())


def grant_views(con: duckdb.DuckDBPyConnection, today: dt.date) -> list[GrantView]:
    """:func:`list_grants` on an open governance connection."""
    ensure_schema(con)
    return _views(con, today)


def principals_on(con: duckdb.DuckDBPyConnection) -> dict[str, Principal]:
    ensure_schema(con)
    return _principals(con)


def find_active(
    con: duckdb.DuckDBPyConnection, principal: str, clearance: str, today: dt.date
) -> tuple[str | None, list[str]]:
    """The active grant of ``principal`` for ``clearance`` (the one expiring last) and,
    when there is none, why: one line per grant that is not active."""
    ensure_schema(con)
    if clearance not in CLEARANCES:
        return None, [f"unknown clearance {clearance!r} (one of {', '.join(CLEARANCES)})"]
    if principal not in _principals(con):
        return None, [f"{principal!r} is not a known principal"]
    views = [
        v
        for v in _views(con, today)
        if v.grant.grantee == principal and v.grant.clearance == clearance
    ]
    active = sorted((v for v in views if v.active), key=lambda v: v.grant.expires_on)
    if active:
        return active[-1].grant.grant_id, []
    if not views:
        return None, [f"{principal!r} has no {clearance} grant"]
    return None, [f"grant {v.grant.grant_id}: {'; '.join(v.reasons)}" for v in views]


def active_grant(
    paths: Paths, principal: str, clearance: str, today: dt.date | None = None
) -> str | None:
    """The id of an active grant of ``principal`` for exactly ``clearance``, or None."""
    with open_session(paths) as con:
        grant_id, _ = find_active(con, principal, clearance, today or business_today())
    return grant_id


# -- writing ---------------------------------------------------------------------------


def add_principal(
    paths: Paths,
    principal_id: str,
    name: str,
    department: str,
    *,
    designated_for_a: bool = False,
    training_valid_until: dt.date | None = None,
    department_head: bool = False,
    actor: str | None = None,
) -> Principal:
    """Add a principal, or update one (a renewed training, a designation, a move)."""
    principal_id = _required_text(principal_id, "principal id")
    principal = Principal(
        principal_id,
        _required_text(name, "name"),
        _norm_department(_required_text(department, "department")),
        bool(designated_for_a),
        training_valid_until,
        access_log.now_utc(),
        bool(department_head),
    )
    with open_session(paths) as con:
        before = _principals(con).get(principal_id)
        con.execute(
            "insert or replace into principals (principal_id, name, department,"
            " designated_for_a, training_valid_until, added_at, department_head)"
            " values (?, ?, ?, ?, ?, ?, ?)",
            [
                principal.principal_id,
                principal.name,
                principal.department,
                principal.designated_for_a,
                principal.training_valid_until,
                before.added_at if before else principal.added_at,
                principal.department_head,
            ],
        )
        access_log.append(
            paths,
            "principal_added",
            actor or os_user(),
            {
                "principal_id": principal.principal_id,
                "department": principal.department,
                "designated_for_a": principal.designated_for_a,
                "department_head": principal.department_head,
                "training_valid_until": principal.training_valid_until,
                "updated": before is not None,
            },
            con=con,
        )
    return principal


def _next_grant_id(con: duckdb.DuckDBPyConnection) -> str:
    (count,) = con.execute("select count(*) from grant_requests").fetchone()
    n = count + 1
    while con.execute("select 1 from grant_requests where grant_id = ?", [f"G{n:05d}"]).fetchone():
        n += 1
    return f"G{n:05d}"


def request_grant(
    paths: Paths,
    grantee: str,
    clearance: str,
    requested_by: str,
    purpose: str,
    *,
    expires_on: dt.date | None = None,
    today: dt.date | None = None,
) -> str:
    """Record a request for ``clearance`` for ``grantee``; return the grant id. The
    expiry defaults to (and may not exceed) the class's :data:`VALIDITY_DAYS`."""
    today = today or business_today()
    if clearance not in CLEARANCES:
        raise GovernanceError(f"unknown clearance {clearance!r} (one of {', '.join(CLEARANCES)})")
    purpose = _required_text(purpose, "a purpose")
    longest = today + dt.timedelta(days=VALIDITY_DAYS[clearance])
    expires_on = expires_on or longest
    if expires_on < today:
        raise GovernanceError(f"expiry {expires_on} is in the past")
    if expires_on > longest:
        raise GovernanceError(
            f"a {clearance} grant lasts at most {VALIDITY_DAYS[clearance]} days "
            f"(until {longest}), not until {expires_on}"
        )
    with open_session(paths) as con:
        known = _principals(con)
        for who, role in ((grantee, "grantee"), (requested_by, "requester")):
            if who not in known:
                raise GovernanceError(f"{role} {who!r} is not a known principal")
        if grantee == requested_by:
            raise GovernanceError("the requester and the grantee must be different people")
        staff = known[grantee]
        if clearance in HEAD_REQUESTS and not heads_department_of(known[requested_by], staff):
            raise GovernanceError(
                f"a {clearance} grant is requested by the head of the grantee's department"
                f" ({staff.department!r}); {requested_by!r} is not"
            )
        grant_id = _next_grant_id(con)
        con.execute(
            "insert into grant_requests values (?, ?, ?, ?, ?, ?, ?)",
            [grant_id, grantee, clearance, requested_by, purpose, access_log.now_utc(), expires_on],
        )
        access_log.append(
            paths,
            "grant_request",
            requested_by,
            {
                "grant_id": grant_id,
                "grantee": grantee,
                "clearance": clearance,
                "info_class": INFO_CLASS[clearance],
                "purpose": purpose,
                "expires_on": expires_on,
            },
            con=con,
        )
    return grant_id


def _grant(con: duckdb.DuckDBPyConnection, grant_id: str) -> Grant:
    found = _grants(con, grant_id)
    if not found:
        raise GovernanceError(f"no grant {grant_id!r}")
    return found[0]


def approve(
    paths: Paths, grant_id: str, approver: str, role: str, *, today: dt.date | None = None
) -> tuple[bool, list[str]]:
    """Record ``approver``'s approval of ``grant_id`` in ``role``; return the grant's
    status afterwards. Refused: a role the class does not need or already has, an
    approver of another department, the grantee, the requester or an earlier
    approver of the same grant, a revoked or expired grant."""
    today = today or business_today()
    with open_session(paths) as con:
        grant = _grant(con, grant_id)
        known = _principals(con)
        if role not in REQUIRED_ROLES[grant.clearance]:
            raise GovernanceError(
                f"a {grant.clearance} grant is approved by "
                f"{' and '.join(REQUIRED_ROLES[grant.clearance])}, not {role!r}"
            )
        if approver not in known:
            raise GovernanceError(f"approver {approver!r} is not a known principal")
        if grant_id in _revocations(con):
            raise GovernanceError(f"grant {grant_id} is revoked")
        if grant.expires_on < today:
            raise GovernanceError(f"grant {grant_id} expired on {grant.expires_on}")
        expected = role_department(role, known.get(grant.grantee))
        if known[approver].department != expected:
            raise GovernanceError(
                f"{approver!r} is in {known[approver].department!r}: a {role} approval "
                f"must come from {expected!r}"
            )
        if approver in (grant.grantee, grant.requested_by):
            raise GovernanceError(
                f"{approver!r} is the {'grantee' if approver == grant.grantee else 'requester'}"
                " and cannot approve the grant"
            )
        earlier = [a for a in _approvals(con) if a.grant_id == grant_id]
        if any(a.role == role for a in earlier):
            raise GovernanceError(f"grant {grant_id} already has its {role} approval")
        if any(a.approver == approver for a in earlier):
            raise GovernanceError(f"{approver!r} already approved grant {grant_id}")
        con.execute(
            "insert into approvals values (?, ?, ?, ?)",
            [grant_id, approver, role, access_log.now_utc()],
        )
        view = next(v for v in _views(con, today) if v.grant.grant_id == grant_id)
        access_log.append(
            paths,
            "grant_approval",
            approver,
            {
                "grant_id": grant_id,
                "role": role,
                "clearance": grant.clearance,
                "grantee": grant.grantee,
                "active": view.active,
            },
            con=con,
        )
    return view.active, list(view.reasons)


def revoke(paths: Paths, grant_id: str, by: str, reason: str) -> None:
    """Revoke a grant; the clearance's key is rotated at the next publication (a
    pending row in ``key_rotations``), so a key already released stops opening new
    artefacts."""
    reason = _required_text(reason, "a reason")
    with open_session(paths) as con:
        grant = _grant(con, grant_id)
        if by not in _principals(con):
            raise GovernanceError(f"{by!r} is not a known principal")
        if grant_id in _revocations(con):
            raise GovernanceError(f"grant {grant_id} is already revoked")
        now = access_log.now_utc()
        con.execute("insert into revocations values (?, ?, ?, ?)", [grant_id, by, reason, now])
        con.execute(
            "insert into key_rotations values (?, ?, ?, null)",
            [grant.clearance, now, f"grant {grant_id} revoked"],
        )
        access_log.append(
            paths,
            "grant_revocation",
            by,
            {
                "grant_id": grant_id,
                "grantee": grant.grantee,
                "clearance": grant.clearance,
                "reason": reason,
                "key_rotation": "pending",
            },
            con=con,
        )


def pending_rotations(paths: Paths) -> list[str]:
    """Clearances whose key must be rotated before the next publication."""
    with open_session(paths) as con:
        rows = con.execute(
            "select distinct clearance from key_rotations where done_at is null"
        ).fetchall()
    pending = {r[0] for r in rows}
    return [c for c in CLEARANCES if c in pending]


def mark_rotated(paths: Paths, clearance: str, *, actor: str | None = None) -> None:
    """Record that ``clearance``'s key was rotated (the caller rotated it). With
    ``actor`` the ``key_rotation`` log entry is written in the same transaction;
    without it the caller logs it (``access_log.append(paths, "key_rotation", …)``)."""
    if clearance not in CLEARANCES:
        raise GovernanceError(f"unknown clearance {clearance!r}")
    with open_session(paths) as con:
        reasons = [
            r[0]
            for r in con.execute(
                "select reason from key_rotations where clearance = ? and done_at is null "
                "order by requested_at",
                [clearance],
            ).fetchall()
        ]
        con.execute(
            "update key_rotations set done_at = ? where clearance = ? and done_at is null",
            [access_log.now_utc(), clearance],
        )
        if actor is not None:
            access_log.append(
                paths, "key_rotation", actor, {"clearance": clearance, "reasons": reasons}, con=con
            )


def rotate_pending_keys(paths: Paths, *, actor: str = "publication") -> list[str]:
    """Rotate the key of every clearance with a pending rotation, record and log it
    (one ``key_rotation`` entry each), and return the clearances rotated (call before
    writing the published artefacts)."""
    done = []
    for clearance in pending_rotations(paths):
        KeyStore(paths.home).rotate(clearance)
        mark_rotated(paths, clearance, actor=actor)
        done.append(clearance)
    return done
