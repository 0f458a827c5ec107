"""Backup and restore of the encrypted stores, the restore drill, and the monthly
governance assets (drill, review, and the review's blocking check) through Dagster."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from orchestration.cli import main
from orchestration.config import TieringConfig
from orchestration.security import access_log, backup, governance, vault
from orchestration.security.assets import (
    REVIEW_DATE_TAG,
    governance_review,
    restore_drill,
    review_attested_in_time,
)
from orchestration.security.backup import RestoreRefused, store_fingerprints
from orchestration.security.keys import KeyStore
from orchestration.security.stores import open_store
from orchestration.settings import Paths

STORES = ("warehouse", "vault", "governance")


def home_paths(home: Path) -> Paths:
    return Paths(home=home, landing=home / "landing")


def store_path(paths: Paths, name: str) -> Path:
    return Path(getattr(paths, name))


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Paths:
    """A home with all three stores: a small warehouse, a vault and a governance log."""
    paths = home_paths(tmp_path_factory.mktemp("backup") / "home")
    with open_store(
        paths.warehouse, KeyStore(paths.home).text("warehouse"), alias="warehouse"
    ) as con:
        con.execute("create schema raw; create schema marts")
        con.execute(
            "create table raw.customers as select 'C' || lpad(i::varchar, 5, '0') as customer_id,"
            " i % 7 as segment, i * 1.5 as balance from range(2000) t(i)"
        )
        con.execute(
            "create table marts.customer_star_tier as select customer_id, "
            "case when balance > 1000 then 'STAR_7' else 'STAR_3' end as tier_code "
            "from raw.customers"
        )
    vault.store(
        paths,
        pa.table({"token": ["t1", "t2"], "column_name": ["phone", "phone"], "value": ["1", "2"]}),
        pa.table(
            {
                "customer_id": ["C00001", "C00002"],
                "column_name": ["phone"] * 2,
                "token": ["t1", "t2"],
            }
        ),
        run_id="r1",
    )
    governance.add_principal(paths, "sec", "Sec", governance.SECURITY_DEPARTMENT)
    governance.add_principal(paths, "ana", "Ana", "sales")
    return paths


@pytest.fixture
def paths(tmp_path, template) -> Paths:
    shutil.copytree(template.home, tmp_path / "home")
    return home_paths(tmp_path / "home")


@pytest.fixture(scope="module")
def template_backup(template, tmp_path_factory) -> Path:
    """A backup of the template home, made once (each test's home has the same keys)."""
    to = tmp_path_factory.mktemp("template_backup") / "backup"
    backup.backup(template, to)
    return to


@pytest.fixture
def to(tmp_path, template_backup) -> Path:
    """A copy of the template's backup, for a test to damage."""
    return Path(shutil.copytree(template_backup, tmp_path / "backup"))


def prints(paths: Paths) -> dict[str, dict]:
    keys = KeyStore(paths.home)
    return {
        name: store_fingerprints(store_path(paths, name), keys.text(name), name)
        for name in STORES
        if store_path(paths, name).exists()
    }


def snapshot(paths: Paths) -> dict[str, str]:
    """sha256 of every file under the home except the keys (what a restore may change)."""
    return {
        str(p.relative_to(paths.home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(paths.home.rglob("*"))
        if p.is_file() and "keys" not in p.parts
    }


def test_backup_delete_restore_gives_identical_fingerprints(paths, tmp_path, capsys):
    before = prints(paths)
    to = tmp_path / "backup"
    assert main(["backup", "--to", str(to), "--home", str(paths.home)]) == 0
    manifest = json.loads((to / "manifest.json").read_text())
    assert set(manifest["stores"]) == set(STORES)
    for name, entry in manifest["stores"].items():
        copy = to / entry["file"]
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == entry["sha256"]
        assert entry["tables"] == before[name]
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(to.stat().st_mode) == 0o700
    assert access_log.last_entry(paths, "backup").details["stores"] == {
        n: e["sha256"] for n, e in manifest["stores"].items()
    }

    for name in STORES:
        store_path(paths, name).unlink()
    assert main(["restore", "--from", str(to), "--home", str(paths.home)]) == 0
    assert "restored warehouse, vault, governance" in capsys.readouterr().out

    after = prints(paths)
    assert after["warehouse"] == before["warehouse"]
    assert after["vault"] == before["vault"]
    # the restored log gained exactly the restore entry, and the chain holds
    restored_log = dict(after["governance"])
    log_rows = restored_log.pop("main.access_log")["rows"]
    expected = dict(before["governance"])
    assert log_rows == expected.pop("main.access_log")["rows"] + 1
    assert restored_log == expected
    assert access_log.verify(paths).ok
    assert access_log.last_entry(paths, "restore").details["stores"] == {
        n: e["sha256"] for n, e in manifest["stores"].items()
    }
    for name in STORES:
        assert stat.S_IMODE(store_path(paths, name).stat().st_mode) == 0o600


def _flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _forge_manifest(to: Path) -> None:
    """Flip a byte of the warehouse copy and put its new hash in the manifest."""
    copy = to / "warehouse.duckdb"
    _flip_byte(copy)
    manifest = json.loads((to / "manifest.json").read_text())
    manifest["stores"]["warehouse"]["sha256"] = hashlib.sha256(copy.read_bytes()).hexdigest()
    (to / "manifest.json").write_text(json.dumps(manifest))


DAMAGE = {
    "flipped byte in the warehouse": (
        lambda to: _flip_byte(to / "warehouse.duckdb"),
        "does not match its SHA-256",
    ),
    "flipped byte in the governance store": (
        lambda to: _flip_byte(to / "governance.duckdb"),
        "does not match its SHA-256",
    ),
    "missing vault copy": (lambda to: (to / "vault.duckdb").unlink(), "vault.duckdb is missing"),
    "missing manifest": (lambda to: (to / "manifest.json").unlink(), "manifest.json is missing"),
    "manifest edited to match": (_forge_manifest, "MAC"),
}


def test_a_restore_killed_between_two_stores_is_finished_not_left_mixed(paths, to, monkeypatch):
    backed_up = {
        n: e["tables"] for n, e in json.loads((to / "manifest.json").read_text())["stores"].items()
    }
    governance.add_principal(paths, "new", "New", "sales")  # the home moves on
    real_replace, calls = backup.os.replace, []

    def dies_after_the_first_store(src, dst):
        if str(src).endswith(".restore-journal.json.tmp"):
            return real_replace(src, dst)
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")
        return real_replace(src, dst)

    monkeypatch.setattr(backup.os, "replace", dies_after_the_first_store)
    with pytest.raises(KeyboardInterrupt):
        backup.restore(paths, to)
    monkeypatch.undo()
    assert backup.journal_path(paths).exists()
    # a mix now: the warehouse is the backup's, the vault and governance the home's
    assert prints(paths)["warehouse"] == backed_up["warehouse"]
    assert "new" in governance.principals(paths)

    assert backup.finish_interrupted_restore(paths) == ["vault.duckdb", "governance.duckdb"]
    assert not backup.journal_path(paths).exists()
    after = prints(paths)
    assert after["warehouse"] == backed_up["warehouse"]
    assert after["vault"] == backed_up["vault"]
    assert "new" not in governance.principals(paths)
    assert access_log.verify(paths).ok
    assert access_log.last_entry(paths, "restore").details["finished_after_interruption"]
    assert backup.finish_interrupted_restore(paths) == []  # nothing left to finish


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_backup_is_refused_and_nothing_is_swapped(paths, to, damage):
    # the home moves on after the backup, so a swap would show
    governance.add_principal(paths, "new", "New", "sales")
    damage_fn, message = DAMAGE[damage]
    damage_fn(to)
    before = snapshot(paths)
    with pytest.raises(RestoreRefused, match=message):
        backup.restore(paths, to)
    assert snapshot(paths) == before
    assert access_log.verify(paths).ok


def test_another_homes_keys_are_refused_and_nothing_is_swapped(paths, to, tmp_path):

    other = home_paths(tmp_path / "other")
    governance.add_principal(other, "x", "X", "sales")
    before = snapshot(other)
    with pytest.raises(RestoreRefused, match="another home's keys"):
        backup.restore(other, to)
    assert snapshot(other) == before

    # with this home's audit key (so the manifest checks out) the stores still do not
    # open: each is encrypted with a key the other home does not have
    third = home_paths(tmp_path / "third")
    (third.home / "keys").mkdir(parents=True, mode=0o700)
    shutil.copy2(paths.home / "keys" / "audit.key", third.home / "keys" / "audit.key")
    with pytest.raises(RestoreRefused, match="does not open with this home's warehouse key"):
        backup.restore(third, to)
    assert not any(store_path(third, name).exists() for name in STORES)
    assert not list(third.home.rglob(".*.restore-*"))


HOLD_OPEN = """
import sys
from pathlib import Path
from orchestration.security.keys import KeyStore
from orchestration.security.stores import open_store
home = Path(sys.argv[1])
key = KeyStore(home).text("warehouse")
with open_store(home / "warehouse.duckdb", key, alias="warehouse", read_only=True):
    print("open", flush=True)
    sys.stdin.read()
"""


def test_a_store_open_in_another_process_is_not_replaced(paths, to):
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(paths.home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "open"
        before = snapshot(paths)
        with pytest.raises(RestoreRefused, match="open in another process"):
            backup.restore(paths, to)
        assert snapshot(paths) == before
    finally:
        reader.communicate("", timeout=30)


def test_backup_needs_a_new_folder_and_a_store(paths, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "something").write_text("x")
    with pytest.raises(backup.BackupProblem, match="not empty"):
        backup.backup(paths, full)
    with pytest.raises(backup.BackupProblem, match="no store"):
        backup.backup(home_paths(tmp_path / "empty"), tmp_path / "b2")


def test_the_restore_drill_restores_into_a_scratch_home_and_is_logged(paths):
    before = snapshot(paths)
    result = backup.restore_drill(paths)
    assert result.ok, result.message
    assert result.stores["warehouse"]["rows"] == 4000  # raw.customers + the mart
    entry = access_log.last_entry(paths, "restore_drill")
    assert entry.details["ok"] is True
    assert not list(paths.backups.glob(".restore-drill-*"))
    # the live stores are untouched apart from the drill's log entry
    changed = {k for k in snapshot(paths) if snapshot(paths)[k] != before.get(k)}
    assert changed <= {"governance/governance.duckdb", "governance/log_head.json"}


def test_a_failed_drill_is_recorded(paths):
    store_path(paths, "vault").write_bytes(b"not a database")
    result = backup.restore_drill(paths)
    assert not result.ok
    entry = access_log.last_entry(paths, "restore_drill")
    assert entry.details["ok"] is False and "vault" in entry.details["message"]


def _materialise(paths: Paths, review_date: dt.date) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [restore_drill, governance_review, review_attested_in_time],
        resources={"tiering": TieringConfig(home=str(paths.home))},
        tags={REVIEW_DATE_TAG: str(review_date)},
        raise_on_error=False,
    )


def _check(result: dg.ExecuteInProcessResult, name: str) -> bool:
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    return evaluation.passed


def test_the_monthly_assets_write_the_review_and_block_when_overdue(paths):
    today = governance.business_today()
    result = _materialise(paths, today)
    assert result.success
    assert _check(result, "restore_drill_succeeded")
    assert _check(result, "review_attested_in_time")
    review_md = (paths.reviews / f"{today}.md").read_text(encoding="utf-8")
    assert "restore_drill" in review_md and '"ok":true' in review_md

    # nobody attested: a month and more later the blocking check fails
    late = today + dt.timedelta(days=40)
    result = _materialise(paths, late)
    assert not _check(result, "review_attested_in_time")
    assert (paths.reviews / f"{late}.md").exists()
