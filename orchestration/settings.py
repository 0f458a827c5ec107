"""Run settings: where things live, the as-of date, and the run-level limits.

Everything the job touches on disk hangs off ``TIERING_HOME`` (default ``./data``)
so a test can point the whole job at a temporary folder. The paths are resolved
when a run starts, never at import, and reach the assets through the ``tiering``
resource (:class:`orchestration.config.TieringConfig`), not through the process
environment.

DuckDB's own limits (:class:`DuckDBSettings`: memory limit, threads, spill folder)
are set on every connection the product opens, dbt's included: DuckDB's default is
80 % of the machine's memory *per connection*, so a big build would otherwise grow
until the machine swaps instead of spilling to disk. They default to figures derived
from the machine, an environment variable overrides each, and the run config of the
``tiering`` resource overrides both. The resource puts them in force for its run
(:func:`duckdb_settings_in_force`); the connection helper
(:func:`orchestration.security.stores.new_connection`) reads them there, so code deep
inside a step (ingest, publication) needs no extra argument.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

#: the business time zone (``TIERING_TIMEZONE``, default Asia/Shanghai): business
#: dates are days there (the nightly schedule, the default as-of date), and a landing
#: timestamp with an offset (``...Z``, ``+08:00``) is converted to its wall time there.
DEFAULT_TZ = "Asia/Shanghai"


def business_tz() -> str:
    name = (os.environ.get("TIERING_TIMEZONE") or DEFAULT_TZ).strip()
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(
            f"TIERING_TIMEZONE={name!r} is not an IANA time zone (e.g. Asia/Shanghai)"
        ) from exc
    return name


BUSINESS_TZ = business_tz()

#: Owners of the assets in the Dagster UI, by asset group (``team:<name>`` or an
#: e-mail address): who answers for the files and their loading, for the rules and
#: the tiers, for the access regime. Change them to your teams here.
ASSET_OWNERS: dict[str, tuple[str, ...]] = {
    "landing": ("team:data-engineering",),
    "raw": ("team:data-engineering",),
    "staging": ("team:data-engineering",),
    "intermediate": ("team:data-engineering",),
    "seeds": ("team:customer-tiering",),
    "tiers": ("team:customer-tiering",),
    "history": ("team:customer-tiering",),
    "marts": ("team:customer-tiering",),
    "published": ("team:data-engineering",),
    "governance": ("team:information-security",),
}
#: asset tags: the layer (the asset group) and the highest information class (A, B or
#: C) of the columns the asset holds, so the UI filters e.g. every class B asset
LAYER_TAG = "tiering/layer"
INFO_CLASS_TAG = "tiering/info_class"


def asset_labels(group: str, classes) -> dict:
    """``owners`` and ``tags`` of an asset of ``group`` holding columns of ``classes``
    (the highest one is its tag; C when it holds none): keyword arguments of
    ``dg.asset`` / ``dg.AssetSpec``."""
    # imported here: the settings stay light for dbt's plugin (no sqlglot at import)
    from orchestration.security.classification import CLASS_RANK

    ranked = [c for c in classes if c in CLASS_RANK]
    highest = max(ranked, key=CLASS_RANK.__getitem__, default="C")
    return {
        "owners": list(ASSET_OWNERS[group]),
        "tags": {LAYER_TAG: group, INFO_CLASS_TAG: highest},
    }


#: a landing location given as a URI (``s3a://bucket/landing``, ``abfss://…``,
#: ``file:///…``) rather than a folder: read by the Spark engine through Hadoop's
#: FileSystem (:mod:`orchestration.ingest.lake`)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_uri(location: str | os.PathLike) -> bool:
    """Whether a landing location is a URI (a lake, read by Spark) and not a folder."""
    return isinstance(location, str) and bool(_URI.match(location))


def lake_refusal(landing: str | os.PathLike, engine: str) -> str | None:
    """Why the landing location cannot be read on ``engine``, or None: a lake URI is
    read by the Spark engine only."""
    if is_uri(landing) and engine != "spark":
        return (
            f"the landing location {landing} is a URI: a lake is read by the Spark engine "
            "(--engine spark or TIERING_ENGINE=spark); DuckDB reads a local or mounted folder"
        )
    return None


@dataclass(frozen=True)
class Paths:
    home: Path
    #: the landing folder, or a lake URI (a ``str``, see :func:`is_uri`)
    landing: Path | str

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def published(self) -> Path:
        return self.home / "published"

    @property
    def keys(self) -> Path:
        return self.home / "keys"

    @property
    def vault(self) -> Path:
        """The only store of clear class A values (encrypted, key ``vault``)."""
        return self.home / "vault" / "vault.duckdb"

    @property
    def governance(self) -> Path:
        """Principals, grants, approvals, revocations and the access log."""
        return self.home / "governance" / "governance.duckdb"

    @property
    def reviews(self) -> Path:
        return self.home / "governance" / "reviews"

    @property
    def backups(self) -> Path:
        return self.home / "backups"

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder of the runs of this home (the last run's artefacts)."""
        return self.home / "dbt" / "target"


def resolve_paths(
    home: str | os.PathLike | None = None, landing: str | os.PathLike | None = None
) -> Paths:
    """The paths of a run: explicit arguments first, then the environment, then defaults."""
    home_path = Path(home or os.environ.get("TIERING_HOME") or "data").resolve()
    landing = landing or os.environ.get("TIERING_LANDING") or home_path / "landing"
    if isinstance(landing, str) and is_uri(landing.strip()):
        return Paths(home=home_path, landing=landing.strip().rstrip("/"))
    return Paths(home=home_path, landing=Path(landing).resolve())


#: environment variables overriding the machine-derived DuckDB settings.
MEMORY_LIMIT_VARIABLE = "TIERING_DUCKDB_MEMORY_LIMIT"
THREADS_VARIABLE = "TIERING_DUCKDB_THREADS"
TEMP_DIRECTORY_VARIABLE = "TIERING_DUCKDB_TEMP_DIRECTORY"
#: environment variable overriding how many models dbt builds at once (dbt_threads).
DBT_THREADS_VARIABLE = "TIERING_DBT_THREADS"
ENGINE_VARIABLE = "TIERING_ENGINE"

#: where the dbt models can run: DuckDB (default) or Apache Spark
ENGINES = ("duckdb", "spark")


def engine_of(value: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The engine a run uses: ``value``, else ``$TIERING_ENGINE``, else duckdb."""
    environ = os.environ if environ is None else environ
    engine = (value or environ.get(ENGINE_VARIABLE) or "duckdb").strip().lower()
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")
    return engine


#: default memory limit per DuckDB thread: DuckDB's guidance is 1-4 GB a thread for
#: aggregations and joins to run mostly in memory; 1.25 GiB keeps a 2-core machine's
#: run under 4 GB at 100M transactions (measured: a process peaks at the limit plus
#: 0.4-1 GiB of Python, dbt and DuckDB's allocations outside its buffer pool; with
#: 1.5 GiB a thread the job process reached 4.05 GiB) while spilling only the biggest
#: operators.
MEMORY_PER_THREAD = 5 << 28
#: ... and never more than this share of the machine's memory (other engineers'
#: jobs, the OS cache and the job's Python processes need the rest).
MAX_MEMORY_SHARE = 0.25
#: below this DuckDB cannot hold the working set of even the small models.
MIN_MEMORY = 1 << 29
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*$", re.IGNORECASE)


def machine_memory() -> int:
    """Physical memory in bytes (os.sysconf; /proc/meminfo's MemTotal as a fallback)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
        raise


def machine_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass(frozen=True)
class DuckDBSettings:
    """DuckDB's limits for the connections of one home.

    ``temp_directory`` is the spill *root*: each connection spills into a folder of
    its own below it (:meth:`spill_folder`), since two DuckDB instances spilling into
    one folder would write the same file names. Spill files of the encrypted stores
    are encrypted too (``temp_file_encryption``): they hold customer data.
    """

    memory_limit: str
    threads: int
    temp_directory: Path

    def spill_folder(self, owner: str) -> Path:
        """A private spill folder for the connection ``owner`` (made here, mode 0700;
        DuckDB creates files in it only when an operator outgrows the memory limit)."""
        self.temp_directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.temp_directory.chmod(0o700)
        return self.temp_directory / owner

    def connection_config(self, owner: str) -> dict[str, str]:
        """The ``duckdb.connect(config=...)`` options of a connection."""
        return {
            "memory_limit": self.memory_limit,
            "threads": str(self.threads),
            "temp_directory": str(self.spill_folder(owner)),
            "temp_file_encryption": "true",
        }

    def environment(self) -> dict[str, str]:
        """The same settings as environment variables, for a subprocess (dbt)."""
        return {
            MEMORY_LIMIT_VARIABLE: self.memory_limit,
            THREADS_VARIABLE: str(self.threads),
            TEMP_DIRECTORY_VARIABLE: str(self.temp_directory),
        }


#: the units of a memory size as DuckDB reads them (KB = 1000 bytes, KiB = 1024)
_UNITS = {
    "B": 1,
    **{u: 1000**i for i, u in enumerate(("KB", "MB", "GB", "TB"), 1)},
    **{u: 1024**i for i, u in enumerate(("KIB", "MIB", "GIB", "TIB"), 1)},
}


def memory_bytes(text: str) -> int:
    """A DuckDB memory size (``3GiB``, ``2500MB``) in bytes."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a memory size such as 3GiB or 2500MB")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def dbt_threads(
    settings: DuckDBSettings, warehouse: Path, environ: Mapping[str, str] | None = None
) -> int:
    """How many models dbt builds at once: ``TIERING_DBT_THREADS``, else DuckDB's
    thread count while the warehouse file is smaller than the memory limit, else one.

    dbt's threads share one DuckDB instance and so one memory limit, and DuckDB runs
    each query on all its threads already. On a small warehouse two models at once
    save dbt's own per-model overhead (a demo build: 13-19 s against 21-25 s on one
    thread); on a warehouse larger than the memory limit, two big models at once
    starve each other: at a million customers ``customer_tiers``' joins held the
    memory that ``customer_tier_history`` needed (Out of Memory at 2.5 GiB), while one
    at a time the build passes in the same time (418 s against 437 s).
    """
    environ = os.environ if environ is None else environ
    if environ.get(DBT_THREADS_VARIABLE, "").strip():
        return _threads(environ[DBT_THREADS_VARIABLE], DBT_THREADS_VARIABLE)
    size = warehouse.stat().st_size if warehouse.exists() else 0
    return 1 if size > memory_bytes(settings.memory_limit) else settings.threads


def default_memory_limit(threads: int, memory: int | None = None) -> str:
    memory = machine_memory() if memory is None else memory
    limit = max(MIN_MEMORY, min(threads * MEMORY_PER_THREAD, int(memory * MAX_MEMORY_SHARE)))
    return f"{limit // (1 << 20)}MiB"


def _memory_limit(text: str, source: str) -> str:
    if not _SIZE.match(text):
        raise ValueError(f"{source}={text!r} is not a memory size such as 3GiB or 2500MB")
    return text.strip()


def _threads(value: str | int, source: str) -> int:
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{source}={text!r} is not a positive whole number")
    return int(text)


def duckdb_settings(
    home: str | os.PathLike,
    *,
    memory_limit: str = "",
    threads: int = 0,
    temp_directory: str = "",
    environ: Mapping[str, str] | None = None,
) -> DuckDBSettings:
    """DuckDB's settings for ``home``: each from its argument (the run config) when
    given, else its environment variable, else derived from the machine: threads =
    the cores, memory = 1.25 GiB a thread but at most a quarter of the memory, spill
    folder ``$TIERING_HOME/tmp/duckdb``. A malformed value is refused with its name."""
    environ = os.environ if environ is None else environ
    if threads:
        thread_count = _threads(threads, "duckdb_threads")
    elif environ.get(THREADS_VARIABLE, "").strip():
        thread_count = _threads(environ[THREADS_VARIABLE], THREADS_VARIABLE)
    else:
        thread_count = machine_cores()
    if memory_limit:
        memory = _memory_limit(memory_limit, "duckdb_memory_limit")
    elif environ.get(MEMORY_LIMIT_VARIABLE, "").strip():
        memory = _memory_limit(environ[MEMORY_LIMIT_VARIABLE], MEMORY_LIMIT_VARIABLE)
    else:
        memory = default_memory_limit(thread_count)
    spill = temp_directory or environ.get(TEMP_DIRECTORY_VARIABLE, "").strip()
    return DuckDBSettings(
        memory_limit=memory,
        threads=thread_count,
        temp_directory=Path(spill or Path(home) / "tmp" / "duckdb").resolve(),
    )


#: the settings put in force by the running job (a stack: a test may nest runs).
_IN_FORCE: list[DuckDBSettings] = []


@contextlib.contextmanager
def duckdb_settings_in_force(settings: DuckDBSettings) -> Iterator[DuckDBSettings]:
    """Make ``settings`` those of every connection opened in the block."""
    _IN_FORCE.append(settings)
    try:
        yield settings
    finally:
        _IN_FORCE.remove(settings)


def current_duckdb_settings() -> DuckDBSettings:
    """The settings in force; outside a run (a CLI command, a script) those of the
    home of the environment."""
    return _IN_FORCE[-1] if _IN_FORCE else duckdb_settings(resolve_paths().home)


def previous_day(moment: dt.datetime) -> dt.date:
    """The as-of date of a run started at ``moment``: the calendar day before, in Shanghai.

    A naive ``moment`` is taken as Shanghai time already.
    """
    local = moment.astimezone(ZoneInfo(BUSINESS_TZ)) if moment.tzinfo else moment
    return local.date() - dt.timedelta(days=1)


def default_as_of() -> dt.date:
    """The as-of date of a run started now without one: yesterday in Shanghai."""
    return previous_day(dt.datetime.now(dt.UTC))


def parse_as_of(text: str | dt.date) -> dt.date:
    """``YYYY-MM-DD`` (or a date) as a date; anything else is refused with the value."""
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError) as exc:
        raise ValueError(f"as-of date must be YYYY-MM-DD, got {text!r}") from exc
