"""Run settings: where things live, the as-of date, and the run-level limits.

Everything the job touches on disk hangs off ``TIERING_HOME`` (default ``./data``)
so a test can point the whole job at a temporary folder. The paths are resolved
when a run starts, never at import, and reach the assets through the ``tiering``
resource (:class:`TieringConfig`), not through the process environment.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
from pydantic import PrivateAttr

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
    landing_path = Path(landing or os.environ.get("TIERING_LANDING") or home_path / "landing")
    return Paths(home=home_path, landing=landing_path.resolve())


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
    landing: str = ""
    #: largest share of a source's rows that may be quarantined as defective before
    #: publication is blocked (the circuit breaker).
    max_quarantine_share: float = 0.01
    #: write the general artefact without encryption, for a BI tool that cannot open
    #: an encrypted DuckDB file. Off by default; the governance review lists it.
    publish_general_unencrypted: bool = False

    _as_of: dt.date | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Read the clock (for an empty as_of_date) when the run starts, once.
        self._as_of = self._resolve_as_of()

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
