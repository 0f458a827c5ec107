"""The hash-chained access log: append, verify, and tampering found by entry."""

from __future__ import annotations

import hashlib
import hmac
import json
import stat

import pytest

from orchestration.cli import main
from orchestration.security import access_log
from orchestration.security.keys import KeyStore
from orchestration.security.stores import open_store
from orchestration.settings import Paths

ENTRIES = 6


@pytest.fixture
def paths(tmp_path) -> Paths:
    """A home whose log holds ENTRIES entries, written in one transaction."""
    paths = Paths(home=tmp_path / "home", landing=tmp_path / "landing")
    with access_log.transaction(paths) as con:
        for i in range(1, ENTRIES + 1):
            access_log.append(
                paths, "key_release", f"user{i}", {"clearance": "general", "n": i}, con=con
            )
    return paths


def tamper(paths: Paths, *statements: str) -> None:
    """Change the encrypted store the way someone holding the governance key could."""
    key = KeyStore(paths.home).text("governance")
    with open_store(paths.governance, key, alias="governance") as con:
        for sql in statements:
            con.execute(sql)


def test_intact_log_verifies_and_the_hash_is_the_documented_hmac(paths):
    result = access_log.verify(paths)
    assert result.ok, result.message
    assert (result.entries, result.first_bad_seq) == (ENTRIES, None)
    log = access_log.entries(paths)
    assert [e.seq for e in log] == list(range(1, ENTRIES + 1))
    assert result.head_hash == log[-1].entry_hash

    # entry 1 recomputed here from the documented formula, genesis = 64 zeros
    first = log[0]
    body = json.dumps(
        {
            "seq": 1,
            "at": first.at.isoformat(sep=" ", timespec="microseconds"),
            "kind": first.kind,
            "actor": first.actor,
            "details": json.dumps(first.details, sort_keys=True, separators=(",", ":")),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    audit = KeyStore(paths.home).key("audit")
    expected = hmac.new(audit, ("0" * 64 + body).encode(), hashlib.sha256).hexdigest()
    assert first.entry_hash == expected

    head = access_log.head_path(paths)
    assert stat.S_IMODE(head.stat().st_mode) == 0o600
    assert json.loads(head.read_text())["seq"] == ENTRIES


@pytest.mark.parametrize(
    "change",
    [
        """update access_log set details = '{"clearance":"restricted","n":3}' where seq = 3""",
        "update access_log set actor = 'someone_else' where seq = 3",
        "update access_log set kind = 'key_refused' where seq = 3",
        'update access_log set "at" = "at" + interval 1 hour where seq = 3',
    ],
    ids=["details", "actor", "kind", "time"],
)
def test_an_edited_entry_is_named(paths, change, capsys):
    tamper(paths, change)
    result = access_log.verify(paths)
    assert not result.ok
    assert result.first_bad_seq == 3
    assert "entry 3" in result.message

    assert main(["access", "verify", "--home", str(paths.home)]) == 1
    assert "first bad entry 3" in capsys.readouterr().out


def test_a_deleted_entry_is_named(paths):
    tamper(paths, "delete from access_log where seq = 3")
    result = access_log.verify(paths)
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "entry 3 is missing" in result.message


def test_a_deleted_entry_with_the_rest_renumbered_is_named(paths):
    tamper(
        paths,
        "delete from access_log where seq = 3",
        "update access_log set seq = seq - 1 where seq > 3",
    )
    result = access_log.verify(paths)
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_truncation_is_found_from_the_head_file(paths):
    tamper(paths, f"delete from access_log where seq > {ENTRIES - 2}")
    result = access_log.verify(paths)
    assert not result.ok
    assert result.first_bad_seq == ENTRIES - 1
    assert "truncated" in result.message


def test_a_log_rechained_without_the_audit_key_fails_at_the_edit(paths):
    """Someone with the governance key but not the audit key edits entry 3 and
    recomputes every hash after it with a key of their own."""
    log = access_log.entries(paths)
    tamper(paths, "update access_log set actor = 'forger' where seq = 3")
    forged_key = b"f" * 32
    prev = log[1].entry_hash
    statements = []
    for e in log[2:]:
        actor = "forger" if e.seq == 3 else e.actor
        details = access_log.canonical_json(e.details)
        h = access_log.compute_hash(forged_key, prev, e.seq, e.at, e.kind, actor, details)
        statements.append(
            f"update access_log set prev_hash = '{prev}', entry_hash = '{h}' where seq = {e.seq}"
        )
        prev = h
    tamper(paths, *statements)
    result = access_log.verify(paths)
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_an_edited_or_missing_head_file_fails(paths):
    head = access_log.head_path(paths)
    saved = json.loads(head.read_text())
    head.write_text(json.dumps({**saved, "seq": saved["seq"] + 1}))
    assert not access_log.verify(paths).ok
    head.unlink()
    result = access_log.verify(paths)
    assert not result.ok and "missing" in result.message


def test_an_entry_in_a_rolled_back_transaction_leaves_no_trace(paths):
    before = access_log.verify(paths)
    with pytest.raises(RuntimeError), access_log.transaction(paths) as con:
        access_log.append(paths, "backup", "me", {"to": "x"}, con=con)
        raise RuntimeError("the action failed after logging")
    after = access_log.verify(paths)
    assert after.ok and (after.entries, after.head_hash) == (before.entries, before.head_hash)


def test_unknown_kinds_and_non_json_details_are_refused(paths):
    with pytest.raises(access_log.LogProblem, match="unknown access log kind"):
        access_log.append(paths, "key_leak", "me", {})
    with pytest.raises(access_log.LogProblem, match="plain JSON"):
        access_log.append(paths, "backup", "me", {"to": object()})
    assert access_log.verify(paths).entries == ENTRIES


def test_reading_the_log_opens_the_store_read_only_and_changes_nothing(tmp_path):
    """Listing and verifying the log only read the governance store: a store that has
    no log table yet (grants written, nothing logged) reads as an empty, intact log and
    is left as it was, without the table a read-write open would have created."""
    paths = Paths(home=tmp_path / "home", landing=tmp_path / "landing")
    paths.governance.parent.mkdir(parents=True, mode=0o700)
    key = KeyStore(paths.home).text("governance")
    with open_store(paths.governance, key, alias="governance") as con:
        con.execute("create table principals (principal_id varchar)")

    assert access_log.entries(paths) == []
    result = access_log.verify(paths)
    assert result.ok and result.entries == 0, result.message

    with open_store(paths.governance, key, alias="governance", read_only=True) as con:
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert tables == {"principals"}
