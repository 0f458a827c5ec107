"""The raw stage's blocking asset checks, owned by the landing contract.

Per source: the pandera schema of ``raw.<source>`` (types, nullability, codes,
bounds, unique key), the conservation of rows (read = loaded + quarantined +
duplicates) and the quarantine circuit breaker. The schema check runs inside
DuckDB through pandera's ibis backend (:mod:`orchestration.contract_check`). A
failing check is blocking, so nothing downstream runs and nothing is published.
"""

from collections.abc import Callable

import dagster as dg

from contracts.landing import SOURCES
from contracts.raw import RAW_SCHEMAS
from orchestration.contract_check import contract_check
from orchestration.ingest.assets import raw_key
from orchestration.ingest.load import defective_rows, top_reasons
from orchestration.settings import TieringConfig
from orchestration.warehouse import connect


def _manifest_check(
    source: str,
    name: str,
    description: str,
    evaluate: Callable[[dict, dict, float], tuple[bool, str]],
) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=raw_key(source), name=name, blocking=True, description=description)
    def _check(tiering: TieringConfig) -> dg.AssetCheckResult:
        with connect(tiering.paths.warehouse, read_only=True) as con:
            cur = con.execute("select * from raw.source_manifest where source = ?", [source])
            names = [d[0] for d in cur.description]
            found = cur.fetchone()
            if found is None:
                return dg.AssetCheckResult(
                    passed=False, description=f"no manifest row for {source}"
                )
            manifest = dict(zip(names, found, strict=True))
            counts = {
                "raw": con.execute(f"select count(*) from raw.{source}").fetchone()[0],
                "quarantine": con.execute(f"select count(*) from quarantine.{source}").fetchone()[
                    0
                ],
            }
            counts["reasons"] = top_reasons(con, source)
            counts["defective"] = defective_rows(con, source)
        passed, text = evaluate(manifest, counts, tiering.max_quarantine_share)
        return dg.AssetCheckResult(
            passed=passed,
            description=text,
            metadata={
                k: manifest[k]
                for k in ("rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")
            },
        )

    return _check


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


raw_checks = [
    check
    for name in SOURCES
    for check in (
        contract_check(raw_key(name), "raw", name, RAW_SCHEMAS[name]),
        _manifest_check(
            name, "rows_conserved", "rows read = loaded + quarantined + duplicates", conservation
        ),
        _manifest_check(
            name,
            "quarantine_within_limit",
            "circuit breaker: quarantined share <= max_quarantine_share",
            circuit_breaker,
        ),
    )
]
