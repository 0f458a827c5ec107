"""The closing summary of a run: rows per table, tier distributions, checks, artefact."""

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.publish.artefact import ARTEFACT
from orchestration.security.keys import CLEARANCES, KeyStore
from orchestration.security.stores import connect_duckdb, open_store
from orchestration.settings import Paths
from orchestration.transform.metadata import TIERS_SCHEMA, scheme_distribution
from orchestration.transform.registry import tier_schemes
from orchestration.transform.seeds import read_record
from orchestration.warehouse import connect, quote_ident, table_columns


@dataclass
class CheckLine:
    asset: str
    name: str
    passed: bool
    description: str


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    seconds: float
    checks: list[CheckLine] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    published: bool = False

    @classmethod
    def from_result(
        cls, result: dg.ExecuteInProcessResult, paths: Paths, seconds: float
    ) -> "RunOutcome":
        checks = [
            CheckLine(
                e.asset_key.to_user_string(), e.check_name, e.passed, (e.description or "").strip()
            )
            for e in result.get_asset_check_evaluations()
        ]
        failures = [
            f"{e.step_key}: {e.step_failure_data.error.message.strip()}"
            if e.step_failure_data.error
            else f"{e.step_key}: failed"
            for e in result.all_events
            if e.is_step_failure
        ]
        published = all(
            published_run_id(paths, clearance) == result.run_id for clearance in CLEARANCES
        )
        return cls(
            run_id=result.run_id,
            success=result.success and published,
            seconds=seconds,
            checks=checks,
            failures=failures,
            published=published,
        )


def artefact_path(paths: Paths, clearance: str) -> Path:
    return paths.published / clearance / ARTEFACT


def published_run_id(paths: Paths, clearance: str) -> str | None:
    """The run of the artefact of ``clearance`` (opened with its key), if any."""
    artefact = artefact_path(paths, clearance)
    if not artefact.exists():
        return None
    key = KeyStore(paths.home).text(clearance)
    try:
        with open_store(artefact, key, alias="pub", read_only=True) as con:
            return con.execute("select run_id from _publication").fetchone()[0]
    except duckdb.Error:
        # the general artefact may be published unencrypted (an explicit setting)
        with connect_duckdb(str(artefact), read_only=True) as con:
            return con.execute("select run_id from _publication").fetchone()[0]


def _table_counts(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, int]:
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1",
            [schema],
        ).fetchall()
    ]
    return {
        t: con.execute(f"select count(*) from {schema}.{quote_ident(t)}").fetchone()[0]
        for t in tables
    }


def _distributions(con: duckdb.DuckDBPyConnection, table: str, rows: int) -> list[str]:
    """One block per tier scheme of ``table`` (from the scheme registry): code, label,
    customers and share, best tier first (by rank, else the most frequent first)."""
    cols = table_columns(con, table, TIERS_SCHEMA)
    lines = []
    schemes = [s for s in tier_schemes() if s.model == table and s.code_column in cols]
    for scheme in schemes:
        if len(schemes) > 1:
            lines.append(f"    {scheme.scheme}")
        for value, text, count in scheme_distribution(con, table, scheme, cols):
            share = count / rows if rows else 0
            lines.append(f"      {value or '':<20}{text or '':<26}{count:>9,}  {share:6.1%}")
    return lines


def unmapped_education_levels(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """Customers whose education level is on file but not in seed education_levels
    (their education tier is UNRATED), and the distinct such values; None when
    ``marts.customer_education_tier`` or its flag is not there (a failed run)."""
    flagged = "education_level_unmapped" in table_columns(con, "customer_education_tier", "marts")
    if not flagged:
        return None
    customers, values = con.execute(
        "select count(*), count(distinct education_level) from marts.customer_education_tier "
        "where education_level_unmapped"
    ).fetchone()
    return customers, values


def unmapped_education_line(unmapped: tuple[int, int]) -> str:
    customers, values = unmapped
    line = f"unmapped education levels: {customers:,}"
    if customers:
        line += (
            f" customers, {values:,} distinct value(s) not in seed education_levels "
            "(education tier UNRATED; customer_education_tier.education_level_unmapped)"
        )
    return line


def overrides_in_force(con: duckdb.DuckDBPyConnection) -> dict[str, int] | None:
    """Manual tier overrides in force on the as-of date, per scheme (registry order is
    not known here: by scheme name); None when ``marts.customer_tier_overrides`` is not
    there (a failed run)."""
    present = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' "
        "and table_name = 'customer_tier_overrides'"
    ).fetchone()[0]
    if not present:
        return None
    return dict(
        con.execute(
            "select scheme, count(*) from marts.customer_tier_overrides group by 1 order by 1"
        ).fetchall()
    )


def overrides_line(in_force: dict[str, int]) -> str:
    line = f"manual overrides in force: {sum(in_force.values()):,}"
    if in_force:
        schemes = ", ".join(f"{scheme} {n:,}" for scheme, n in in_force.items())
        line += f" ({schemes}; marts.customer_tier_overrides)"
    return line


def print_summary(outcome: RunOutcome, paths: Paths) -> None:
    line = "=" * 72
    print(line)
    print(
        f"run {outcome.run_id}  {'SUCCEEDED' if outcome.success else 'FAILED'}  "
        f"in {outcome.seconds:.1f}s"
    )
    if paths.warehouse.exists():
        with connect(paths.warehouse, read_only=True) as con:
            manifest = (
                con.execute(
                    "select source, is_present, rows_read, rows_loaded, rows_quarantined, "
                    "rows_duplicate from raw.source_manifest order by source"
                ).fetchall()
                if _table_counts(con, "raw")
                else []
            )
            if manifest:
                print("\nsources (read = loaded + quarantined + duplicates)")
                print(f"  {'source':<16}{'read':>11}{'loaded':>11}{'quarant.':>10}{'dupl.':>8}")
                for src, present, read, loaded, quarantined, dup in manifest:
                    note = "" if present else "   (absent: tiers needing it are unrated)"
                    print(f"  {src:<16}{read:>11,}{loaded:>11,}{quarantined:>10,}{dup:>8,}{note}")
            marts = _table_counts(con, "marts")
            if marts:
                print("\ntier tables (rows)")
                for table, n in marts.items():
                    print(f"  {table:<32}{n:>10,}")
                    for text in _distributions(con, table, n):
                        print(text)
            unmapped = unmapped_education_levels(con) if marts else None
            if unmapped is not None:
                print("\n" + unmapped_education_line(unmapped))
            in_force = overrides_in_force(con) if marts else None
            if in_force is not None:
                print(overrides_line(in_force))
            seeds_loaded = read_record(con)
            if seeds_loaded is not None and seeds_loaded.run_id != outcome.run_id:
                print(
                    f"\nrule seeds unchanged since run {seeds_loaded.run_id}: not reloaded"
                    + (", their checks passed then" if seeds_loaded.tested else "")
                )
    failed = [c for c in outcome.checks if not c.passed]
    print(f"\nchecks: {len(outcome.checks) - len(failed)} passed, {len(failed)} failed")
    for c in failed:
        print(f"  FAILED {c.asset} {c.name}: {c.description}")
    for f in outcome.failures:
        print(f"  step failure {f[:2000]}")
    if outcome.published:
        print("\npublished (one encrypted artefact per clearance):")
        for clearance in CLEARANCES:
            print(f"  {clearance:<13}{artefact_path(paths, clearance)}")
            print(f"  {'':<13}{paths.published / clearance / 'parquet'}/<table>.parquet")
    else:
        previous = [c for c in CLEARANCES if artefact_path(paths, c).exists()]
        print(
            "\nNOT published"
            + (
                f"; the previous artefacts stay in {paths.published} ({', '.join(previous)})"
                if previous
                else ""
            )
        )
    print(line)
