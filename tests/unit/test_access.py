"""``tiering access key`` and ``tiering access reveal``: released only under an active
grant, refused otherwise, and exactly one access log entry per call either way."""

from __future__ import annotations

import datetime as dt
import shutil

import pyarrow as pa
import pytest

from orchestration.cli import main
from orchestration.security import access, access_log, governance, vault
from orchestration.security.governance import IT_DEPARTMENT, SECURITY_DEPARTMENT
from orchestration.security.keys import KeyStore
from orchestration.settings import Paths

CUSTOMER = "C0001"
CLEAR = {"full_name": "王小明", "national_id": "110101199003071234", "phone": "13800138000"}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Paths:
    """bob: general and restricted grants (active); erin: general only; dave: none.
    The vault holds one customer's class A values."""
    base = tmp_path_factory.mktemp("access")
    paths = Paths(home=base / "home", landing=base / "landing")
    staff = [
        ("alice", "sales", {"department_head": True}),
        ("carol", "sales", {}),
        ("bob", "sales", {"designated_for_a": True}),
        ("erin", "sales", {}),
        ("dave", "sales", {}),
        ("sec", SECURITY_DEPARTMENT, {}),
        ("it1", IT_DEPARTMENT, {}),
    ]
    for pid, dept, extra in staff:
        governance.add_principal(paths, pid, pid.title(), dept, **extra)
    for grantee in ("bob", "erin"):
        gid = governance.request_grant(paths, grantee, "general", "alice", "BI dashboards")
        governance.approve(paths, gid, "carol", "department")
    gid = governance.request_grant(paths, "bob", "restricted", "alice", "KYC checks")
    governance.approve(paths, gid, "sec", "security")
    governance.approve(paths, gid, "it1", "it")
    tokens = {column: f"tok_{column}" for column in CLEAR}
    vault.store(
        paths,
        pa.table(
            {
                "token": list(tokens.values()),
                "column_name": list(tokens),
                "value": [CLEAR[c] for c in tokens],
            }
        ),
        pa.table(
            {
                "customer_id": [CUSTOMER] * len(tokens),
                "column_name": list(tokens),
                "token": list(tokens.values()),
            }
        ),
        run_id="test",
    )
    return paths


@pytest.fixture
def paths(tmp_path, template) -> Paths:
    shutil.copytree(template.home, tmp_path / "home")
    return Paths(home=tmp_path / "home", landing=tmp_path / "landing")


def cli(paths: Paths, *args: str) -> int:
    return main(["access", *args, "--home", str(paths.home)])


def new_entries(paths: Paths, before: int) -> list[access_log.Entry]:
    return access_log.entries(paths)[before:]


@pytest.mark.parametrize(
    ("principal", "clearance", "why"),
    [
        ("dave", "general", "'dave' has no general grant"),
        ("erin", "restricted", "'erin' has no restricted grant"),
        ("bob", "confidential", "'bob' has no confidential grant"),  # A does not imply B
        ("ghost", "general", "'ghost' is not a known principal"),
    ],
)
def test_a_key_without_an_active_grant_is_refused_and_logged(
    paths, principal, clearance, why, capsys
):
    before = len(access_log.entries(paths))
    assert cli(paths, "key", "--clearance", clearance, "--as", principal) == 1
    out, err = capsys.readouterr()
    assert why in err
    key = KeyStore(paths.home).text(clearance)
    assert key not in out + err
    (entry,) = new_entries(paths, before)
    assert (entry.kind, entry.actor, entry.details["clearance"]) == (
        "key_refused",
        principal,
        clearance,
    )
    assert why in entry.details["reason"]
    assert key not in access_log.canonical_json(entry.details)


def test_each_key_release_under_an_active_grant_prints_the_key_and_logs_once(paths, capsys):
    key = KeyStore(paths.home).text("general")
    grant_id = governance.active_grant(paths, "bob", "general")
    before = len(access_log.entries(paths))
    for release in range(1, 4):
        assert cli(paths, "key", "--clearance", "general", "--as", "bob") == 0
        assert capsys.readouterr().out == key + "\n"
        released = new_entries(paths, before)
        assert [e.kind for e in released] == ["key_release"] * release
    entry = released[-1]
    assert (entry.actor, entry.details["grant_id"]) == ("bob", grant_id)
    assert entry.details["key_sha256"] == access.key_fingerprint(key)
    assert key not in access_log.canonical_json(entry.details)
    assert access_log.verify(paths).ok


def test_an_expired_or_revoked_grant_releases_no_key(paths, capsys):
    grant_id = governance.active_grant(paths, "bob", "general")
    later = governance.business_today() + dt.timedelta(days=400)
    with pytest.raises(access.AccessRefused, match="expired on"):
        access.release_key(paths, "bob", "general", today=later)
    governance.revoke(paths, grant_id, "sec", "moved to another team")
    capsys.readouterr()
    assert cli(paths, "key", "--clearance", "general", "--as", "bob") == 1
    out, err = capsys.readouterr()
    assert f"grant {grant_id}: revoked" in err and out == ""
    kinds = [e.kind for e in access_log.entries(paths)[-3:]]
    assert kinds == ["key_refused", "grant_revocation", "key_refused"]


@pytest.mark.parametrize(
    ("principal", "customer", "purpose", "why"),
    [
        ("erin", CUSTOMER, "complaint follow-up", "'erin' has no restricted grant"),
        ("dave", CUSTOMER, "complaint follow-up", "'dave' has no restricted grant"),
        ("bob", "C9999", "complaint follow-up", "the vault knows no customer 'C9999'"),
        ("bob", CUSTOMER, "  ", "a purpose is required"),
    ],
)
def test_a_reveal_without_an_active_a_grant_is_refused_and_logged(
    paths, principal, customer, purpose, why, capsys
):
    before = len(access_log.entries(paths))
    assert (
        cli(paths, "reveal", "--customer", customer, "--purpose", purpose, "--as", principal) == 1
    )
    out, err = capsys.readouterr()
    assert why in err
    assert not any(value in out + err for value in CLEAR.values())
    (entry,) = new_entries(paths, before)
    assert (entry.kind, entry.actor) == ("reveal_refused", principal)
    assert (entry.details["customer_id"], entry.details["purpose"]) == (customer, purpose.strip())


def test_a_reveal_under_an_a_grant_prints_the_values_and_logs_no_value(paths, capsys):
    before = len(access_log.entries(paths))
    for lookup in range(1, 3):
        assert (
            cli(paths, "reveal", "--customer", CUSTOMER, "--purpose", "KYC refresh", "--as", "bob")
            == 0
        )
        out = capsys.readouterr().out
        assert all(f"{column}: {value}" in out for column, value in CLEAR.items())
        assert [e.kind for e in new_entries(paths, before)] == ["reveal"] * lookup
    entry = new_entries(paths, before)[-1]
    assert entry.details["customer_id"] == CUSTOMER
    assert entry.details["purpose"] == "KYC refresh"
    assert entry.details["columns"] == sorted(CLEAR)
    logged = " ".join(access_log.canonical_json(e.details) for e in access_log.entries(paths))
    assert not any(value in logged for value in CLEAR.values())
