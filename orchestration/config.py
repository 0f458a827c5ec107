"""The ``tiering`` resource: the settings of one run, as Dagster run config.

Kept apart from :mod:`orchestration.settings`, which imports no Dagster: the dbt
subprocess loads the settings through its plugin (``plugins/tiering_encryption.py``)
on every run, and importing Dagster there cost it a second of start-up.
"""

from __future__ import annotations

import contextlib
import datetime as dt

import dagster as dg
from pydantic import PrivateAttr

from orchestration.settings import (
    DuckDBSettings,
    Paths,
    default_as_of,
    duckdb_settings,
    duckdb_settings_in_force,
    engine_of,
    parse_as_of,
    resolve_paths,
)


class TieringConfig(dg.ConfigurableResource):
    """Run-level settings shared by every asset of the nightly job.

    ``as_of_date`` is the business date the tiers are computed for: the schedule sets
    it to the previous day in Asia/Shanghai, ``tiering run --as-of`` sets it
    explicitly, and left empty (a run launched by hand from the UI) it is the day
    before the run starts, read when the run starts. It is parsed once, into
    :attr:`as_of`. Empty ``home`` / ``landing`` fall back to the environment.
    """

    as_of_date: str = ""
    home: str = ""
    #: the landing folder, or on the Spark engine a lake URI (``s3a://bucket/landing``)
    landing: str = ""
    #: largest share of a source's rows that may be quarantined as defective before
    #: publication is blocked (the circuit breaker).
    max_quarantine_share: float = 0.01
    #: write the general artefact without encryption, for a BI tool that cannot open
    #: an encrypted DuckDB file. Off by default; the governance review lists it.
    publish_general_unencrypted: bool = False
    #: DuckDB limits of every connection of the run, dbt's included; empty / 0: the
    #: environment variable (TIERING_DUCKDB_MEMORY_LIMIT, TIERING_DUCKDB_THREADS,
    #: TIERING_DUCKDB_TEMP_DIRECTORY), else derived from the machine (DuckDBSettings).
    duckdb_memory_limit: str = ""
    duckdb_threads: int = 0
    duckdb_temp_directory: str = ""
    #: where the dbt models run: "duckdb" (the warehouse itself) or "spark" (Apache
    #: Spark through dbt-spark; orchestration.transform.spark); empty: the environment
    #: variable TIERING_ENGINE, else duckdb.
    engine: str = ""

    _as_of: dt.date | None = PrivateAttr(default=None)
    _duckdb_scope: contextlib.ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Read the clock (for an empty as_of_date) when the run starts, once.
        self._as_of = self._resolve_as_of()
        self._duckdb_scope = contextlib.ExitStack()
        self._duckdb_scope.enter_context(duckdb_settings_in_force(self.duckdb))

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._duckdb_scope is not None:
            self._duckdb_scope.close()

    def _resolve_as_of(self) -> dt.date:
        if self.as_of_date:
            return parse_as_of(self.as_of_date)
        return default_as_of()

    @property
    def as_of(self) -> dt.date:
        if self._as_of is None:  # used outside a run (tests, scripts)
            self._as_of = self._resolve_as_of()
        return self._as_of

    @property
    def paths(self) -> Paths:
        return resolve_paths(self.home or None, self.landing or None)

    @property
    def engine_name(self) -> str:
        return engine_of(self.engine)

    @property
    def duckdb(self) -> DuckDBSettings:
        return duckdb_settings(
            self.paths.home,
            memory_limit=self.duckdb_memory_limit,
            threads=self.duckdb_threads,
            temp_directory=self.duckdb_temp_directory,
        )
