"""Settings read once from the environment: where things live and the keys.

Everything the job touches on disk hangs off ``TIERING_HOME`` (default ``./data``)
so a test can point the whole job at a temporary folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

# A fixed development key keeps demo tokens stable between runs; production sets
# TIERING_PII_KEY to a secret so tokens cannot be recomputed from public data.
DEV_PII_KEY = "tiering-dev-key-change-me"


@dataclass(frozen=True)
class Paths:
    home: Path
    landing: Path

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def published(self) -> Path:
        return self.home / "published"


def paths_from_env(home: str | os.PathLike | None = None,
                   landing: str | os.PathLike | None = None) -> Paths:
    """Resolve the paths, explicit arguments first, then the environment, then defaults."""
    home_path = Path(home or os.environ.get("TIERING_HOME") or "data").resolve()
    landing_path = Path(landing or os.environ.get("TIERING_LANDING") or home_path / "landing")
    return Paths(home=home_path, landing=landing_path.resolve())


def pii_key() -> str:
    return os.environ.get("TIERING_PII_KEY") or DEV_PII_KEY


class TieringConfig(dg.ConfigurableResource):
    """Run-level settings shared by every asset of the nightly job.

    ``as_of_date`` is the business date the tiers are computed for; the schedule
    sets it to the previous day in Asia/Shanghai, ``tiering run --as-of`` sets it
    explicitly. Empty strings fall back to the environment.
    """

    as_of_date: str
    home: str = ""
    landing: str = ""
    #: largest share of a source's rows that may be quarantined before
    #: publication is blocked (the circuit breaker).
    max_quarantine_share: float = 0.01

    @property
    def paths(self) -> Paths:
        return paths_from_env(self.home or None, self.landing or None)
