"""The raw stage's blocking asset checks, owned by the landing contract.

Per source: the pandera schema of ``raw.<source>`` (types, nullability, codes,
bounds, unique key), the conservation of rows (read = loaded + quarantined +
duplicates) and the quarantine circuit breaker. The schema check runs inside
DuckDB through pandera's ibis backend (:mod:`orchestration.contract_check`). A
failing check is blocking, so nothing downstream runs and nothing is published.
"""

import functools
from collections.abc import Callable

import dagster as dg
import duckdb

from contracts.landing import SOURCES
from contracts.raw import RAW_SCHEMAS
from orchestration.config import TieringConfig
from orchestration.contract_check import CheckFn, Contract, stage_checks
from orchestration.ingest.assets import raw_key
from orchestration.ingest.load import defective_rows, top_reasons


def _manifest_check(
    source: str,
    name: str,
    description: str,
    evaluate: Callable[[dict, dict, float], tuple[bool, str]],
) -> tuple[dg.AssetCheckSpec, CheckFn]:
    """A check of ``source``'s row in ``raw.source_manifest`` and its tables."""

    def check(con: duckdb.DuckDBPyConnection, tiering: TieringConfig) -> dg.AssetCheckResult:
        result = functools.partial(dg.AssetCheckResult, asset_key=raw_key(source), check_name=name)
        cur = con.execute("select * from raw.source_manifest where source = ?", [source])
        names = [d[0] for d in cur.description]
        found = cur.fetchone()
        if found is None:
            return result(passed=False, description=f"no manifest row for {source}")
        manifest = dict(zip(names, found, strict=True))
        counts = {
            "raw": con.execute(f"select count(*) from raw.{source}").fetchone()[0],
            "quarantine": con.execute(f"select count(*) from quarantine.{source}").fetchone()[0],
            "reasons": top_reasons(con, source),
            "defective": defective_rows(con, source),
        }
        passed, text = evaluate(manifest, counts, tiering.max_quarantine_share)
        return result(
            passed=passed,
            description=text,
            metadata={
                k: manifest[k]
                for k in ("rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")
            },
        )

    spec = dg.AssetCheckSpec(name, asset=raw_key(source), blocking=True, description=description)
    return spec, check


def conservation(manifest: dict, counts: dict, _threshold: float) -> tuple[bool, str]:
    read, loaded = manifest["rows_read"], manifest["rows_loaded"]
    quarantined, dup = manifest["rows_quarantined"], manifest["rows_duplicate"]
    ok = (
        read == loaded + quarantined + dup
        and counts["raw"] == loaded
        and counts["quarantine"] == quarantined
    )
    text = (
        f"read {read:,} = loaded {loaded:,} + quarantined {quarantined:,} + "
        f"duplicates {dup:,}; tables hold raw {counts['raw']:,}, "
        f"quarantine {counts['quarantine']:,}"
    )
    return ok, ("" if ok else "rows not conserved: ") + text


def circuit_breaker(manifest: dict, counts: dict, threshold: float) -> tuple[bool, str]:
    read, quarantined = manifest["rows_read"], manifest["rows_quarantined"]
    defective = counts["defective"]
    share = defective / read if read else 0.0
    reasons = ", ".join(f"{k} {v:,}" for k, v in counts["reasons"].items()) or "none"
    held = quarantined - defective
    text = (
        f"{manifest['source']}: {defective:,} of {read:,} rows rejected as defective "
        f"({share:.2%}, limit {threshold:.2%})"
        + (
            f", {held:,} held back (dated after the as-of date, or of a customer onboarded"
            " after it)"
            if held
            else ""
        )
        + f"; top reasons: {reasons}"
    )
    return share <= threshold, text


#: one step per source (its contract, conservation and breaker on one connection): a
#: single step for every source would gate each source's ingest on the checks of the
#: sources it reads (transactions read customers) while checking them afterwards, a
#: cycle that Dagster breaks by splitting the job's steps.
raw_checks = [
    stage_checks(
        f"raw_{name}_checks",
        f"raw.{name}: pandera contract, row conservation and the circuit breaker",
        [Contract(raw_key(name), "raw", name, RAW_SCHEMAS[name])],
        [
            _manifest_check(
                name,
                "rows_conserved",
                "rows read = loaded + quarantined + duplicates",
                conservation,
            ),
            _manifest_check(
                name,
                "quarantine_within_limit",
                "circuit breaker: quarantined share <= max_quarantine_share",
                circuit_breaker,
            ),
        ],
    )
    for name in SOURCES
]
