"""Shared fixtures: small generated landing data and one full nightly run in a tmp home."""

import contextlib
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

#: one DuckDB thread per process (the job's connections and dbt's, and the processes
#: they start): ``make test`` runs two pytest-xdist workers on two cores, and on the
#: test data's tiny tables more threads only add scheduling (about 7 % of a run's
#: CPU). No figure depends on it: test_reruns runs the job on 8 threads with
#: verify_parallelism and compares.
DUCKDB_THREADS = os.environ.get("TIERING_DUCKDB_THREADS", "1")
os.environ["TIERING_DUCKDB_THREADS"] = DUCKDB_THREADS

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


def cut_landing(full: Path, out: Path, as_of: str) -> Path:
    """The landing folder as delivered on ``as_of``: nothing dated after it."""
    out.mkdir(parents=True)
    day_after = dt.date.fromisoformat(as_of) + dt.timedelta(days=1)
    cuts = {
        "customers": ("customers.csv", "true"),
        "balances": ("balances.csv", f"month <= '{as_of[:7]}'"),
        "credit_reports": ("credit_reports.csv", f"report_date <= '{as_of}'"),
        "interactions": ("interactions.csv", f"interaction_ts < '{day_after}'"),
        "leads": ("leads.csv", f"captured_date <= '{as_of}'"),
        "overrides": ("overrides.csv", f"valid_from <= '{as_of}'"),
        "transactions": ("transactions/*.csv", f"transaction_ts < '{day_after}'"),
    }
    import duckdb

    with duckdb.connect() as con:
        for source, (pattern, keep) in cuts.items():
            con.execute(f"""
                copy (select * from read_csv('{full / pattern}', header = true,
                                             all_varchar = true) where {keep})
                to '{out / (source + ".csv")}' (header, delimiter ',')""")
    return out


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
    instance=None,
    engine: str | None = None,
) -> JobRun:
    """Run the nightly job in process and capture its summary.

    The run service of ``tiering run`` runs the job with an ephemeral Dagster instance,
    which spares each run ~1,000 SQLite writes of Dagster events (about 5 s of CPU)
    that the test does not read; or in ``instance``, which the test then reads. The
    runs that ``tiering run`` records in the home's instance are tested in test_crash,
    which starts the command itself.
    """
    import contextlib
    import io

    import dagster as dg

    from orchestration.run.service import run_nightly
    from orchestration.settings import parse_as_of, resolve_paths
    from orchestration.transform.assets import subprocess_env

    buf = io.StringIO()
    env = {} if dbt_tests else SKIP_DBT_TESTS
    with contextlib.redirect_stdout(buf), subprocess_env(env):
        with contextlib.ExitStack() as stack:
            if instance is None:
                instance = stack.enter_context(dg.DagsterInstance.ephemeral())
            outcome = run_nightly(
                resolve_paths(home, landing),
                parse_as_of(str(as_of)),
                instance=instance,
                engine=engine,
            )
        code = 0 if outcome.success else 1
    return JobRun(home=home, landing=landing, exit_code=code, output=buf.getvalue())


@pytest.fixture(autouse=True)
def _isolate_env(monkeypatch):
    """Each test starts from a clean environment: no paths, keys or dbt switches of the
    shell that runs pytest, and the DuckDB threads of the tests (above) also in the
    runs a test starts itself."""
    for var in [v for v in os.environ if v.startswith(("TIERING_", "DAGSTER_"))]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("TIERING_DUCKDB_THREADS", DUCKDB_THREADS)  # the test setting above
    monkeypatch.delenv("DBT_EXCLUDE_RESOURCE_TYPES", raising=False)


def _shared(tmp_path_factory, name: str, build):
    """What ``build(folder)`` returns (JSON-able), built once for the whole session.

    With pytest-xdist every worker has its own session: the first worker that needs
    ``name`` builds it under the session's common temporary folder while holding a file
    lock; the others wait for the lock and read the recorded result. So any worker can
    run the tests of a shared run, and the run happens once. Tests that change a shared
    home work on a copy (:func:`copy_home`)."""
    import fcntl
    import json

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # pytest-<n>/popen-gw<k> -> pytest-<n>, common to the workers
    record = root / f"{name}.json"
    with (root / f"{name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            record.write_text(json.dumps(build(root / name)))
    return json.loads(record.read_text())


def _shared_run(tmp_path_factory, name: str, run) -> JobRun:
    def build(folder: Path) -> dict:
        done = run(folder)
        return {
            "home": str(done.home),
            "landing": str(done.landing),
            "exit_code": done.exit_code,
            "output": done.output,
        }

    got = _shared(tmp_path_factory, name, build)
    return JobRun(Path(got["home"]), Path(got["landing"]), got["exit_code"], got["output"])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server a test starts)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_home(run: JobRun, to: Path) -> Path:
    """A private copy of a shared run's home (keys included, modes kept), for a test that
    runs again or writes in it while other tests read the original."""
    import shutil

    shutil.copytree(run.home, to, symlinks=True)
    return to


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory) -> Path:
    from orchestration.demo import generate

    def build(folder: Path) -> str:
        generate(folder, customers=400, months=12, seed=7, as_of=AS_OF)
        return str(folder)

    return Path(_shared(tmp_path_factory, "small_landing", build))


@pytest.fixture(scope="session")
def nightly_run(tmp_path_factory, small_landing) -> JobRun:
    """One successful nightly run on the small generated data, shared by the job tests."""
    run = _shared_run(
        tmp_path_factory,
        "nightly_run",
        lambda folder: run_job(folder / "home", small_landing),
    )
    assert run.exit_code == 0, run.output
    return run


@pytest.fixture(scope="session")
def minimal_run(tmp_path_factory) -> JobRun:
    """A run on the smallest landing the contract allows: only customers and
    transactions (every optional source absent), as of 1998-06-30; K3 is onboarded
    after that date."""

    def run(folder: Path) -> JobRun:
        landing = folder / "landing"
        landing.mkdir(parents=True)
        (landing / "customers.csv").write_text(
            "customer_id,onboarded_date\nK1,1995-03-01\nK2,1996-07-15\nK3,1999-01-01\n"
        )
        (landing / "transactions.csv").write_text(
            "transaction_id,customer_id,transaction_ts,transaction_type,amount\n"
            "1,K1,1997-08-01 09:00:00,purchase,120000.00\n"
            "2,K1,1998-06-30 17:00:00,card_spend,500.00\n"
            "3,K2,1997-01-02 10:00:00,deposit,900.00\n"
        )
        return run_job(folder / "home", landing, "1998-06-30")

    return _shared_run(tmp_path_factory, "minimal_run", run)


#: columns that differ between runs by design (load time, run id) and are left out
#: when two warehouses are compared.
VOLATILE_COLUMNS = ("_loaded_at", "_run_id", "loaded_at", "run_id", "published_at")
CHECKED_SCHEMAS = ("raw", "quarantine", "staging", "intermediate", "marts", "main")


def rows_without(con, table: str, excluded: tuple[str, ...] = ()) -> list[tuple]:
    """Every row of ``schema.table`` on the open connection, without the ``excluded``
    columns (run-dependent lineage), sorted on all columns: two warehouses compare."""
    schema, name = table.split(".")
    columns = [
        c
        for (c,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        ).fetchall()
        if c not in excluded
    ]
    cols = ", ".join(f'"{c}"' for c in columns)
    return con.execute(f"select {cols} from {table} order by all").fetchall()


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


#: whole-job modules, longest first: pytest-xdist hands out work in collection order
#: (``--no-loadscope-reorder``; by default it would order the groups by their number of
#: tests), so the long ones start at once on different workers instead of last on one,
#: and the modules that read the shared runs (test_security, test_job) come late, when
#: the runs are built, instead of first on both workers, one waiting for the other.
JOB_MODULES_BY_LENGTH = (
    "test_history",
    "test_crash",
    "test_wheel",
    "test_reruns",
    "test_dbt_unit_tests",
    "test_security",
    "test_job",
)


def pytest_itemcollected(item):
    """Group tests for pytest-xdist (``make test`` runs ``-n 2 --dist loadgroup``): each
    whole-job module on one worker, so a module-scoped run happens once. The session
    runs (nightly_run, minimal_run) are shared across workers (:func:`_shared`)."""
    if item.path.parent.name == "job":
        item.add_marker(pytest.mark.xdist_group(item.path.stem))


def pytest_collection_modifyitems(items):
    """The whole-job modules first, longest first; the rest keep their order."""

    def rank(item) -> int:
        stem = item.path.stem
        if item.path.parent.name == "job" and stem in JOB_MODULES_BY_LENGTH:
            return JOB_MODULES_BY_LENGTH.index(stem)
        return len(JOB_MODULES_BY_LENGTH)

    items.sort(key=rank)
