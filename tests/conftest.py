"""Shared fixtures: small generated landing data and one full nightly run in a tmp home."""

import contextlib
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

AS_OF = dt.date(2026, 10, 31)
CORE_TIER_TABLES = (
    "customer_contribution_tier",
    "customer_loyalty_tier",
    "customer_credit_rating",
    "customer_star_tier",
)


@dataclass
class JobRun:
    home: Path
    landing: Path
    exit_code: int
    output: str

    @property
    def artefact(self) -> Path:
        """The confidential artefact (B and C cells): the tier tables in full for every
        customer outside class A."""
        return self.artefact_of("confidential")

    def artefact_of(self, clearance: str) -> Path:
        return self.home / "published" / clearance / "tiers.duckdb"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"


def seed_rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a dbt seed CSV as text, read independently of dbt."""
    import csv

    from orchestration.transform.project import project_dir

    with (project_dir() / "seeds" / f"{name}.csv").open(encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def store_key(path: Path) -> str:
    """The key of an encrypted store of a home, found from where the file is:
    ``<home>/warehouse.duckdb``, ``<home>/vault/vault.duckdb``,
    ``<home>/governance/governance.duckdb``, ``<home>/published/<clearance>/…``."""
    from orchestration.security.keys import KeyStore

    path = Path(path)
    if path.parent.parent.name == "published":
        return KeyStore(path.parent.parent.parent).text(path.parent.name)
    if path.parent.name in ("vault", "governance"):
        return KeyStore(path.parent.parent).text(path.parent.name)
    return KeyStore(path.parent).text("warehouse")


@contextlib.contextmanager
def open_db(path: Path, read_only: bool = True):
    """A connection to the encrypted store ``path`` with its home's key, as catalog
    ``db``, closed at the end of the block."""
    from orchestration.security.stores import open_store

    with open_store(path, store_key(path), alias="db", read_only=read_only) as con:
        yield con


def query(path: Path, sql: str, params=None) -> list[tuple]:
    """Rows of ``sql`` on the encrypted DuckDB file ``path``, read-only, closed again."""
    with open_db(path) as con:
        return con.execute(sql, params or []).fetchall()


#: dbt's own switch that leaves the data tests (and unit tests) out of a build: for
#: whole-job tests about something else (idempotence, crashes, history), which check
#: the tables they care about themselves. The nightly_run and the rules test keep them.
SKIP_DBT_TESTS = {"DBT_EXCLUDE_RESOURCE_TYPES": "unit_test test"}


def run_job(
    home: Path,
    landing: Path,
    as_of: dt.date | str = AS_OF,
    *,
    dbt_tests: bool = True,
    recorded: bool = False,
) -> JobRun:
    """Run the nightly job in process and capture its summary.

    ``recorded=True`` goes through ``tiering run`` itself and records the run in the
    home's Dagster instance (SQLite); otherwise the same run service runs the job
    with an ephemeral instance, which spares each run ~1,000 SQLite writes of
    Dagster events that the test does not read.
    """
    import contextlib
    import io

    import dagster as dg

    from orchestration.cli import main
    from orchestration.run.service import run_nightly
    from orchestration.settings import parse_as_of, resolve_paths
    from orchestration.transform.assets import subprocess_env

    buf = io.StringIO()
    env = {} if dbt_tests else SKIP_DBT_TESTS
    with contextlib.redirect_stdout(buf), subprocess_env(env):
        if recorded:
            code = main(
                ["run", "--home", str(home), "--landing", str(landing), "--as-of", str(as_of)]
            )
        else:
            with dg.DagsterInstance.ephemeral() as instance:
                outcome = run_nightly(
                    resolve_paths(home, landing), parse_as_of(str(as_of)), instance=instance
                )
            code = 0 if outcome.success else 1
    return JobRun(home=home, landing=landing, exit_code=code, output=buf.getvalue())


@pytest.fixture(autouse=True)
def _isolate_env(monkeypatch):
    """Each test starts from a clean environment: no paths, keys or dbt switches of the
    shell that runs pytest."""
    for var in [v for v in os.environ if v.startswith(("TIERING_", "DAGSTER_"))]:
        monkeypatch.delenv(var)
    monkeypatch.delenv("DBT_EXCLUDE_RESOURCE_TYPES", raising=False)


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory) -> Path:
    from orchestration.demo import generate

    landing = tmp_path_factory.mktemp("landing")
    generate(landing, customers=400, months=12, seed=7, as_of=AS_OF)
    return landing


@pytest.fixture(scope="session")
def nightly_run(tmp_path_factory, small_landing) -> JobRun:
    """One successful nightly run on the small generated data, shared by the job tests."""
    run = run_job(tmp_path_factory.mktemp("home"), small_landing, recorded=True)
    assert run.exit_code == 0, run.output
    return run


@pytest.fixture(scope="session")
def minimal_run(tmp_path_factory) -> JobRun:
    """A run on the smallest landing the contract allows: only customers and
    transactions (every optional source absent), as of 1998-06-30; K3 is onboarded
    after that date."""
    landing = tmp_path_factory.mktemp("minimal") / "landing"
    landing.mkdir()
    (landing / "customers.csv").write_text(
        "customer_id,onboarded_date\nK1,1995-03-01\nK2,1996-07-15\nK3,1999-01-01\n"
    )
    (landing / "transactions.csv").write_text(
        "transaction_id,customer_id,transaction_ts,transaction_type,amount\n"
        "1,K1,1997-08-01 09:00:00,purchase,120000.00\n"
        "2,K1,1998-06-30 17:00:00,card_spend,500.00\n"
        "3,K2,1997-01-02 10:00:00,deposit,900.00\n"
    )
    return run_job(landing.parent / "home", landing, "1998-06-30")


#: columns that differ between runs by design (load time, run id) and are left out
#: when two warehouses are compared.
VOLATILE_COLUMNS = ("_loaded_at", "_run_id", "loaded_at", "run_id", "published_at")
CHECKED_SCHEMAS = ("raw", "quarantine", "staging", "intermediate", "marts", "main")


def table_checksums(path: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent content hash of every table in ``path``."""
    sums: dict[str, tuple[int, int]] = {}
    with open_db(path) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_catalog = 'db' and table_schema in "
            f"({', '.join(repr(s) for s in CHECKED_SCHEMAS)}) and table_name <> '_publication' "
            "order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            cols = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? "
                    "and table_name = ?",
                    [schema, table],
                ).fetchall()
            ]
            keep = [f'"{c}"' for c in cols if c not in VOLATILE_COLUMNS]
            row_hash = f"hash({', '.join(keep)})" if keep else "0"
            sums[f"{schema}.{table}"] = con.execute(
                f'select count(*), coalesce(sum({row_hash}::hugeint), 0) from "{schema}"."{table}"'
            ).fetchone()
    return sums


#: pytest-xdist groups of the tests that share a session run. Both shared runs go to
#: one worker: with the history and crash modules on the other, the two workers
#: carry about the same load (measured: 250 s and 260 s on 2 cores).
SHARED_RUN_GROUPS = {"nightly_run": "shared_runs", "minimal_run": "shared_runs"}


def pytest_itemcollected(item):
    """Group tests for pytest-xdist (``make test`` runs ``-n 2 --dist loadgroup``):
    the tests sharing a session run (nightly_run, minimal_run) on one worker, so each
    runs once, and each other whole-job module (module-scoped runs) on one worker.
    Marked as each test is collected, before xdist reads the groups."""
    for shared, group in SHARED_RUN_GROUPS.items():
        if shared in item.fixturenames:
            item.add_marker(pytest.mark.xdist_group(group))
            return
    if item.path.parent.name == "job":
        item.add_marker(pytest.mark.xdist_group(item.path.stem))
