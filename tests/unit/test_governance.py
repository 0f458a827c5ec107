"""Grant rules (the pure ``grant_status``) and the governance store's actions."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from orchestration.security import access_log, governance
from orchestration.security.governance import (
    IT_DEPARTMENT,
    SECURITY_DEPARTMENT,
    Approval,
    GovernanceError,
    Grant,
    Principal,
    grant_status,
)
from orchestration.security.keys import KeyStore
from orchestration.settings import Paths

TODAY = dt.date(2026, 11, 15)

PRINCIPALS = {
    p.principal_id: p
    for p in (
        Principal("gra", "Grantee", "sales", True, TODAY + dt.timedelta(days=100)),
        Principal("req", "Requester, head of sales", "sales", department_head=True),
        Principal("ophead", "Head of operations", "operations", department_head=True),
        Principal("dep", "Colleague", "sales"),
        Principal("ops", "Other department", "operations"),
        Principal("sec", "Security officer", SECURITY_DEPARTMENT),
        Principal("it1", "IT officer", IT_DEPARTMENT),
        Principal("untrained", "Never trained", "sales", True, None),
        Principal("lapsed", "Training lapsed", "sales", True, TODAY - dt.timedelta(days=1)),
        Principal("plain", "Not designated", "sales", False, TODAY + dt.timedelta(days=100)),
    )
}

CHAIN = {
    "general": [("dep", "department")],
    "confidential": [("sec", "security")],
    "restricted": [("sec", "security"), ("it1", "it")],
}


def _grant(clearance, grantee="gra", requester="req", expires_in=30) -> Grant:
    return Grant(
        "G1",
        grantee,
        clearance,
        requester,
        "testing",
        dt.datetime(2026, 11, 1, 9, 0),
        TODAY + dt.timedelta(days=expires_in),
    )


def _approvals(pairs, grant_id="G1"):
    return [Approval(grant_id, who, role) for who, role in pairs]


@pytest.mark.parametrize("clearance", ["general", "confidential", "restricted"])
def test_each_class_rule_satisfied(clearance):
    active, reasons = grant_status(
        _grant(clearance), PRINCIPALS, _approvals(CHAIN[clearance]), False, TODAY
    )
    assert (active, reasons) == (True, [])


def test_a_grant_expiring_today_is_still_active():
    active, _ = grant_status(
        _grant("general", expires_in=0), PRINCIPALS, _approvals(CHAIN["general"]), False, TODAY
    )
    assert active


# (case, clearance, grantee, requester, approvals, revoked, expires_in, expected reason)
VIOLATIONS = [
    ("C missing approval", "general", "gra", "req", [], False, 30, "department approval missing"),
    (
        "C approved by another department",
        "general",
        "gra",
        "req",
        [("ops", "department")],
        False,
        30,
        "it must come from 'sales'",
    ),
    (
        "B missing approval",
        "confidential",
        "gra",
        "req",
        [],
        False,
        30,
        "security approval missing",
    ),
    (
        "B approved outside security",
        "confidential",
        "gra",
        "req",
        [("it1", "security")],
        False,
        30,
        "it must come from 'information_security'",
    ),
    (
        "B untrained",
        "confidential",
        "untrained",
        "req",
        CHAIN["confidential"],
        False,
        30,
        "has no recorded training",
    ),
    (
        "B training lapsed",
        "confidential",
        "lapsed",
        "req",
        CHAIN["confidential"],
        False,
        30,
        "training expired on",
    ),
    (
        "A missing IT approval",
        "restricted",
        "gra",
        "req",
        [("sec", "security")],
        False,
        30,
        "it approval missing",
    ),
    (
        "A missing security approval",
        "restricted",
        "gra",
        "req",
        [("it1", "it")],
        False,
        30,
        "security approval missing",
    ),
    (
        "A IT approval outside IT",
        "restricted",
        "gra",
        "req",
        [("sec", "security"), ("ops", "it")],
        False,
        30,
        "it must come from 'it'",
    ),
    (
        "A undesignated",
        "restricted",
        "plain",
        "req",
        CHAIN["restricted"],
        False,
        30,
        "not designated for class A",
    ),
    (
        "B requested by someone who is not a department head",
        "confidential",
        "gra",
        "dep",
        CHAIN["confidential"],
        False,
        30,
        "'dep' is not a head of the grantee's department 'sales'",
    ),
    (
        "A requested by the head of another department",
        "restricted",
        "gra",
        "ophead",
        CHAIN["restricted"],
        False,
        30,
        "'ophead' is not a head of the grantee's department 'sales'",
    ),
    (
        "requester is grantee",
        "general",
        "gra",
        "gra",
        CHAIN["general"],
        False,
        30,
        "requested the grant for themself",
    ),
    (
        "approver is grantee",
        "general",
        "gra",
        "req",
        [("gra", "department")],
        False,
        30,
        "the grantee 'gra' gave the department approval",
    ),
    (
        "approver is requester",
        "general",
        "gra",
        "dep",
        [("dep", "department")],
        False,
        30,
        "the requester 'dep' gave the department approval",
    ),
    (
        "one approver for two roles",
        "restricted",
        "gra",
        "req",
        [("sec", "security"), ("sec", "it")],
        False,
        30,
        "'sec' gave both the security and the it approval",
    ),
    ("expired", "general", "gra", "req", CHAIN["general"], False, -1, "expired on"),
    ("revoked", "restricted", "gra", "req", CHAIN["restricted"], True, 30, "revoked"),
    (
        "unknown grantee",
        "general",
        "nobody",
        "req",
        CHAIN["general"],
        False,
        30,
        "grantee 'nobody' is not a known principal",
    ),
    (
        "unknown requester",
        "general",
        "gra",
        "nobody",
        CHAIN["general"],
        False,
        30,
        "requester 'nobody' is not a known principal",
    ),
    (
        "unknown approver",
        "confidential",
        "gra",
        "req",
        [("ghost", "security")],
        False,
        30,
        "security approver 'ghost' is not a known principal",
    ),
]


@pytest.mark.parametrize(
    ("clearance", "grantee", "requester", "pairs", "revoked", "expires_in", "expected"),
    [case[1:] for case in VIOLATIONS],
    ids=[case[0] for case in VIOLATIONS],
)
def test_each_single_violation_makes_the_grant_inactive(
    clearance, grantee, requester, pairs, revoked, expires_in, expected
):
    grant = _grant(clearance, grantee, requester, expires_in)
    # an approval of another grant never counts for this one
    approvals = _approvals(pairs) + _approvals(CHAIN[clearance], grant_id="G2")
    active, reasons = grant_status(grant, PRINCIPALS, approvals, revoked, TODAY)
    assert not active
    assert any(expected in r for r in reasons), reasons


# -- the store -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def staffed_home(tmp_path_factory) -> Paths:
    """A home with the staff of the tests, made once per module (each test copies it)."""
    base = tmp_path_factory.mktemp("staffed")
    paths = Paths(home=base / "home", landing=base / "landing")
    for pid, dept, extra in (
        ("gra", "sales", {"designated_for_a": True, "training_valid_until": TODAY.replace(2030)}),
        ("req", "sales", {"department_head": True}),
        ("dep", "Sales", {}),  # departments are compared case-insensitively
        ("ops", "operations", {}),
        ("sec", SECURITY_DEPARTMENT, {}),
        ("it1", IT_DEPARTMENT, {}),
    ):
        governance.add_principal(paths, pid, pid.upper(), dept, **extra)
    return paths


@pytest.fixture
def paths(tmp_path, staffed_home) -> Paths:
    shutil.copytree(staffed_home.home, tmp_path / "home")
    return Paths(home=tmp_path / "home", landing=tmp_path / "landing")


def _kinds(paths):
    return [e.kind for e in access_log.entries(paths)]


def test_request_and_approval_activate_a_grant_of_that_clearance_only(paths):
    gid = governance.request_grant(paths, "gra", "restricted", "req", "KYC", today=TODAY)
    assert governance.active_grant(paths, "gra", "restricted", TODAY) is None
    assert governance.approve(paths, gid, "sec", "security", today=TODAY) == (
        False,
        ["it approval missing"],
    )
    assert governance.approve(paths, gid, "it1", "it", today=TODAY) == (True, [])
    assert governance.active_grant(paths, "gra", "restricted", TODAY) == gid
    # a higher clearance does not open a lower one
    assert governance.active_grant(paths, "gra", "general", TODAY) is None
    assert governance.active_grant(paths, "req", "restricted", TODAY) is None
    # expires after the class's 90 days
    assert governance.active_grant(paths, "gra", "restricted", TODAY + dt.timedelta(90)) == gid
    assert governance.active_grant(paths, "gra", "restricted", TODAY + dt.timedelta(91)) is None
    assert _kinds(paths)[-3:] == ["grant_request", "grant_approval", "grant_approval"]


def test_default_expiry_is_the_longest_allowed(paths):
    longest = {"general": 365, "confidential": 180, "restricted": 90}
    ids = {c: governance.request_grant(paths, "gra", c, "req", "BI", today=TODAY) for c in longest}
    expiry = {v.grant.grant_id: v.grant.expires_on for v in governance.list_grants(paths, TODAY)}
    for clearance, days in longest.items():
        assert expiry[ids[clearance]] == TODAY + dt.timedelta(days=days), clearance
        with pytest.raises(GovernanceError, match=f"at most {days} days"):
            governance.request_grant(
                paths,
                "gra",
                clearance,
                "req",
                "BI",
                today=TODAY,
                expires_on=TODAY + dt.timedelta(days + 1),
            )


#: (approver, role, why it is refused) for a general grant of gra requested by req
REFUSED_APPROVALS = [
    ("ops", "department", "must come from 'sales'"),
    ("gra", "department", "is the grantee"),
    ("req", "department", "is the requester"),
    ("sec", "security", "is approved by department, not 'security'"),
    ("ghost", "department", "not a known principal"),
]


def test_approve_refuses_what_the_rule_forbids_and_logs_nothing(paths):
    gid = governance.request_grant(paths, "gra", "general", "req", "BI", today=TODAY)
    before = access_log.entries(paths)
    for approver, role, message in REFUSED_APPROVALS:
        with pytest.raises(GovernanceError, match=message):
            governance.approve(paths, gid, approver, role, today=TODAY)
    assert access_log.entries(paths) == before
    assert governance.active_grant(paths, "gra", "general", TODAY) is None
    governance.approve(paths, gid, "dep", "department", today=TODAY)
    with pytest.raises(GovernanceError, match="already has its department approval"):
        governance.approve(paths, gid, "dep", "department", today=TODAY)


def test_request_refuses_unknown_or_same_people(paths):
    with pytest.raises(GovernanceError, match="not a known principal"):
        governance.request_grant(paths, "ghost", "general", "req", "BI", today=TODAY)
    with pytest.raises(GovernanceError, match="different people"):
        governance.request_grant(paths, "gra", "general", "gra", "BI", today=TODAY)
    with pytest.raises(GovernanceError, match="unknown clearance"):
        governance.request_grant(paths, "gra", "secret", "req", "BI", today=TODAY)


@pytest.mark.parametrize("clearance", ["confidential", "restricted"])
def test_only_the_department_head_requests_class_b_and_a(paths, clearance):
    with pytest.raises(GovernanceError, match="requested by the head of the grantee's department"):
        governance.request_grant(paths, "gra", clearance, "dep", "risk", today=TODAY)
    # a class C grant may be requested by any colleague; its approval is the department's
    assert governance.request_grant(paths, "gra", "general", "dep", "BI", today=TODAY)
    assert governance.request_grant(paths, "gra", clearance, "req", "risk", today=TODAY)


def test_a_store_of_an_earlier_version_gains_the_department_head_flag(paths):
    with governance.open_session(paths) as con:
        con.execute("alter table principals drop column department_head")
    staff = governance.principals(paths)
    assert staff["req"].department_head is False  # unknown until recorded again
    governance.add_principal(paths, "req", "REQ", "sales", department_head=True)
    assert governance.principals(paths)["req"].department_head is True


def test_revocation_deactivates_and_rotates_the_clearance_key_once(paths):
    gid = governance.request_grant(paths, "gra", "general", "req", "BI", today=TODAY)
    governance.approve(paths, gid, "dep", "department", today=TODAY)
    assert governance.active_grant(paths, "gra", "general", TODAY) == gid
    old_key = KeyStore(paths.home).text("general")

    governance.revoke(paths, gid, "sec", "left the team")
    assert governance.active_grant(paths, "gra", "general", TODAY) is None
    assert governance.pending_rotations(paths) == ["general"]
    with pytest.raises(GovernanceError, match="already revoked"):
        governance.revoke(paths, gid, "sec", "again")
    with pytest.raises(GovernanceError, match="revoked"):
        governance.approve(paths, gid, "dep", "department", today=TODAY)

    assert governance.rotate_pending_keys(paths) == ["general"]
    assert KeyStore(paths.home).text("general") != old_key
    assert governance.pending_rotations(paths) == []
    assert governance.rotate_pending_keys(paths) == []
    (rotation,) = access_log.entries(paths, ("key_rotation",))
    assert rotation.details == {"clearance": "general", "reasons": [f"grant {gid} revoked"]}


def test_training_renewal_reactivates_a_confidential_grant(paths):
    governance.add_principal(
        paths, "gra", "GRA", "sales", training_valid_until=TODAY - dt.timedelta(days=1)
    )
    gid = governance.request_grant(paths, "gra", "confidential", "req", "risk", today=TODAY)
    governance.approve(paths, gid, "sec", "security", today=TODAY)
    assert governance.active_grant(paths, "gra", "confidential", TODAY) is None
    governance.add_principal(paths, "gra", "GRA", "sales", training_valid_until=TODAY)
    assert governance.active_grant(paths, "gra", "confidential", TODAY) == gid
    updates = [e for e in access_log.entries(paths, ("principal_added",)) if e.details["updated"]]
    assert [e.details["principal_id"] for e in updates] == ["gra", "gra"]
