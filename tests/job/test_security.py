"""The customer-information regime on a whole run (DESIGN §8): no clear class A value
outside the landing folder and the vault, every store encrypted and private, the
general artefact pseudonymous and k-anonymous, class A customers only in the
restricted artefact, production keys checked before anything is written."""

import csv
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import ahocorasick
import duckdb
import pytest

from contracts.landing import SOURCES
from orchestration.publish.clearances import K_ANONYMITY
from orchestration.security import access_log
from orchestration.security.classification import classification_problems
from orchestration.security.keys import PURPOSES, KeyStore
from orchestration.settings import resolve_paths
from tests.conftest import open_db, query

CLASS_A = SOURCES["customers"].class_a


def _landing_values(landing: Path, n: int = 200) -> list[str]:
    with (landing / "customers.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:n]
    return [row[c] for row in rows for c in CLASS_A if row[c]]


def _files_holding(home: Path, needles: list[bytes], skipped: set[Path]) -> tuple[dict, int]:
    """{file: how many distinct needles it holds} under ``home`` outside ``skipped``, and
    how many files were scanned. One Aho-Corasick pass per file finds every needle at
    once (a ``needle in data`` per needle read the ~90 MB home once per value). Bytes are
    searched as latin-1 text, which maps each byte to one character and back."""
    automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
    for needle in needles:
        automaton.add_word(needle.decode("latin-1"))
    automaton.make_automaton()
    skipped = {p.resolve() for p in skipped}
    found, scanned = {}, 0
    for root, dirs, files in os.walk(home):
        dirs[:] = [d for d in dirs if (Path(root) / d).resolve() not in skipped]
        for name in files:
            path = Path(root) / name
            if path.is_symlink():
                continue
            data = path.read_bytes().decode("latin-1")
            scanned += 1
            hits = {data[end - length + 1 : end + 1] for end, length in automaton.iter(data)}
            if hits:
                found[str(path)] = len(hits)
    return found, scanned


def test_no_clear_class_a_byte_outside_the_landing_folder_and_the_vault(nightly_run):
    values = _landing_values(nightly_run.landing)
    assert len(values) > 400
    needles = [v.encode("utf-8") for v in values]
    skipped = {nightly_run.landing, nightly_run.home / "vault"}
    found, scanned = _files_holding(nightly_run.home, needles, skipped)
    assert found == {}, "clear class A values outside the landing folder and the vault"
    assert scanned > 50


def test_no_key_outside_the_key_folder_nor_in_the_run_output(nightly_run):
    """Keys reach dbt as DBT_ENV_SECRET_* only: not in its logs, target/, compiled
    SQL, the Dagster storage, a store or an artefact."""
    keys = KeyStore(nightly_run.home)
    texts = [keys.text(p) for p in PURPOSES if keys.path(p).exists()]
    assert len(texts) >= 6
    needles = [t.encode() for t in texts] + [keys.key(p) for p in PURPOSES if keys.path(p).exists()]
    found, scanned = _files_holding(
        nightly_run.home, needles, {nightly_run.home / "keys", nightly_run.landing}
    )
    assert found == {}
    assert scanned > 50
    assert not [t for t in texts if t in nightly_run.output]


def test_every_column_has_a_class_no_lower_than_its_inputs(minimal_run):
    """On the compiled project of a real run: every model column is classed, and
    column lineage never lowers a class without a declassifier (DESIGN §8)."""
    target = minimal_run.home / "dbt" / "target" / "manifest.json"
    manifest = json.loads(target.read_text(encoding="utf-8"))
    assert sum(1 for n in manifest["nodes"].values() if n.get("compiled_code")) > 40
    assert classification_problems(manifest) == []


def test_no_file_under_the_home_is_readable_by_others(nightly_run):
    for root, dirs, files in os.walk(nightly_run.home):
        for name in [*dirs, *files]:
            path = Path(root) / name
            if path.is_symlink() or path.resolve().is_relative_to(nightly_run.landing.resolve()):
                continue
            mode = stat.S_IMODE(path.stat().st_mode)
            assert not mode & 0o007, f"{path} is {mode:o}"
    for key in (nightly_run.home / "keys").iterdir():
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key


def test_every_store_is_encrypted(nightly_run):
    paths = resolve_paths(nightly_run.home)
    stores = [
        paths.warehouse,
        paths.vault,
        paths.governance,
        *(nightly_run.artefact_of(c) for c in ("general", "confidential", "restricted")),
    ]
    for store in stores:
        assert store.exists(), store
        with pytest.raises(duckdb.Error, match="encrypt"):
            duckdb.connect(str(store), read_only=True).execute("select 1")


def test_the_general_artefact_is_class_c_pseudonymous_and_k_anonymous(nightly_run):
    general = nightly_run.artefact_of("general")
    with open_db(general) as con:
        classes = con.execute("select distinct info_class from _catalog").fetchall()
        keys = {r[0] for r in con.execute("select customer_id from customer_tiers").fetchall()}
        quasi = [
            r[0]
            for r in con.execute(
                "select column_name from _catalog where table_name = 'customer_scorecard' "
                "and column_name in ('industry', 'city_tier_code', 'tenure_years')"
            ).fetchall()
        ]
        smallest = (
            con.execute(
                f"select min(n) from (select count(*) n from customer_scorecard "
                f"group by {', '.join(quasi)})"
            ).fetchone()[0]
            if quasi
            else K_ANONYMITY
        )
    assert classes == [("C",)]
    with (nightly_run.landing / "customers.csv").open(encoding="utf-8") as fh:
        landing_ids = {row["customer_id"] for row in csv.DictReader(fh)}
    assert keys and not keys & landing_ids
    assert smallest >= K_ANONYMITY


def test_class_a_customers_are_only_in_the_restricted_artefact(nightly_run):
    class_a = {
        r[0]
        for r in query(
            nightly_run.warehouse,
            "select customer_id from intermediate.int_customer_info_class "
            "where customer_info_class = 'A'",
        )
    }
    assert class_a
    confidential = {
        r[0] for r in query(nightly_run.artefact, "select customer_id from customer_tiers")
    }
    restricted = {
        r[0]
        for r in query(
            nightly_run.artefact_of("restricted"), "select customer_id from customer_tiers"
        )
    }
    assert not class_a & confidential
    assert class_a <= restricted


def test_each_publication_is_one_entry_of_a_valid_access_log(nightly_run):
    paths = resolve_paths(nightly_run.home)
    result = access_log.verify(paths)
    assert result.ok, result.message
    publications = access_log.entries(paths, ("publication",))
    by_run: dict[str, list[str]] = {}
    for entry in publications:
        by_run.setdefault(entry.details["run_id"], []).append(entry.details["clearance"])
    # each publication (the home may have had several runs) is one entry per clearance
    assert by_run and all(
        sorted(c) == ["confidential", "general", "restricted"] for c in by_run.values()
    )


def test_production_without_keys_stops_before_writing(tmp_path, small_landing):
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIERING_", "DAGSTER_"))}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "run",
            "--home",
            str(home),
            "--landing",
            str(small_landing),
            "--as-of",
            "2026-10-31",
        ],
        env={**env, "TIERING_ENV": "production"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode != 0
    assert "key 'pii' is missing" in proc.stdout + proc.stderr
    assert not home.exists() or not any(home.rglob("*"))
