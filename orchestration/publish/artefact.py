"""Atomic publication of one encrypted BI artefact per clearance.

``published/<clearance>/tiers.duckdb`` for ``general``, ``confidential`` and
``restricted`` (what each contains: :mod:`orchestration.publish.clearances`), each
encrypted with its clearance's key, each with

- ``_catalog`` (table, column, info_class, note): what the artefact holds;
- ``_publication`` (run, as-of, clearance, column-list hash, row counts, Parquet
  hashes): what was published when.

Parquet copies (encrypted with the same key, Parquet modular encryption) live in
``releases/<run>/parquet/`` and ``parquet`` is a symlink switched atomically.
``report.html`` beside them is the run report of the clearance (charts of the tiers,
aggregates only: :mod:`orchestration.publish.report`), built from the new artefact and
swapped in with it.

**The gate.** Every model column of the manifest must have an information class
(:func:`orchestration.security.classification.missing_classes`). Only the dbt
models of the manifest's published layers are copied
(never "every table of a schema"); a class A column is refused by their contract;
and before anything is swapped in, every text column of every new artefact is
scanned: a value equal to a vault value or token, or shaped like a mobile number or
a national ID, refuses the whole publication (:class:`PublicationRefused`).

**Atomicity.** Every clearance's new file is written beside the old one under a
temporary name, scanned, made durable (checkpoint, fsync), then swapped in with
``os.replace``. A BI client that has the file open keeps reading the old one; one
that opens it during the swap gets either the old or the new file. A failed or
killed run leaves only stray temp files, which the next publication removes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from orchestration.publish.clearances import (
    AGGREGATE_COUNT,
    CLEARANCE_CLASSES,
    CUSTOMER_KEY,
    K_ANONYMITY,
    PublishedTable,
    pseudonym,
    published_tables,
)
from orchestration.publish.report import REPORT, CheckResult, gather, render
from orchestration.security.classification import missing_classes
from orchestration.security.keys import CLEARANCES, KeyStore
from orchestration.security.stores import attach_sql, new_connection, sha256_file
from orchestration.settings import Paths
from orchestration.warehouse import quote_ident, quote_literal

ARTEFACT = "tiers.duckdb"
KEEP_RELEASES = 3
#: a mobile number or a mainland national ID inside a text value.
IDENTIFIER_PATTERNS = {
    "phone number": r"(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)",
    "national ID": r"(^|[^0-9])[0-9]{17}[0-9Xx]([^0-9A-Za-z]|$)",
}
#: every identifier pattern needs a run of at least this many digits (a phone number
#: 11, a national ID 17): the value scan tries the patterns only where one is.
MIN_DIGITS = 11
#: the customers' information class, built by dbt from the seed customer_info_classes.
CUSTOMER_CLASS_TABLE = "intermediate.int_customer_info_class"
#: the general artefact's join table: the class table with each customer's pseudonym
#: (a temp table of the publication's connection, never in the artefact)
PSEUDONYMS = "temp.main._pseudonyms"


class PublicationRefused(RuntimeError):
    """The gate found something that must not be published; nothing was swapped."""


@dataclass
class Publication:
    clearance: str
    path: Path
    parquet_dir: Path
    tables: dict[str, int]
    columns: list[str]
    column_list_sha256: str
    file_sha256: str
    encrypted: bool
    as_of_date: str
    run_id: str
    #: the run report, written beside the artefact under a temporary name until the swap
    report: Path | None = None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def parquet_key(key_text: str) -> str:
    """The 256-bit Parquet encryption key of a clearance, derived from its key."""
    return base64.b64encode(hashlib.sha256(key_text.encode() + b"|parquet").digest()).decode()


def _clean_stale(folder: Path) -> None:
    for stale in folder.glob(f".{ARTEFACT}.*.tmp*"):
        stale.unlink(missing_ok=True)
    for stale in folder.glob(".parquet.*.tmp"):
        stale.unlink(missing_ok=True)
    for stale in folder.glob(f".{REPORT}.*.tmp"):
        stale.unlink(missing_ok=True)
    releases = folder / "releases"
    if releases.is_dir():
        current = (folder / "parquet").resolve() if (folder / "parquet").exists() else None
        dirs = sorted(
            (d for d in releases.iterdir() if d.is_dir()),
            key=lambda d: d.stat().st_mtime,
            reverse=True,
        )
        for old in dirs[KEEP_RELEASES:]:
            if current is None or current.parent != old:
                shutil.rmtree(old, ignore_errors=True)


def remove_unsplit_artefact(published: Path) -> list[str]:
    """Remove the single all-audience artefact of versions before the clearances."""
    removed = []
    for name in (ARTEFACT, "parquet", "releases"):
        path = published / name
        if path.is_symlink() or path.is_file():
            path.unlink()
            removed.append(name)
        elif path.is_dir():
            shutil.rmtree(path)
            removed.append(name)
    return removed


def _select(table: PublishedTable, clearance: str) -> tuple[str, list[tuple[str, str, str, str]]]:
    """The SELECT copying ``table`` for ``clearance`` and its catalog rows."""
    classes = CLEARANCE_CLASSES[clearance]
    exprs, catalog = [], []
    for col in table.visible(clearance):
        name = quote_ident(col.name)
        if col.name == CUSTOMER_KEY and clearance == "general":
            # a table with the customer number is per customer, joined below to the
            # class table: in the general artefact, the one with the pseudonyms
            exprs.append(f"ci.pseudonym as {name}")
            catalog.append((table.name, col.name, "C", "HMAC pseudonym of the customer number"))
        else:
            exprs.append(f"src.{name}")
            catalog.append((table.name, col.name, col.info_class, ""))
    sql = f"select {', '.join(exprs)} from wh.{table.schema}.{quote_ident(table.name)} src"
    wanted = ", ".join(quote_literal(c) for c in classes)
    if table.per_customer:
        # a customer without a class is treated as the strictest class
        classed = PSEUDONYMS if clearance == "general" else f"wh.{CUSTOMER_CLASS_TABLE}"
        sql += (
            f" left join {classed} ci on ci.customer_id = src.{CUSTOMER_KEY}"
            f" where coalesce(ci.customer_info_class, 'A') in ({wanted})"
        )
    elif table.aggregate and clearance == "general":
        sql += f" where src.{AGGREGATE_COUNT} >= {K_ANONYMITY}"
    return sql + " order by all", catalog


def _enforce_k(
    con: duckdb.DuckDBPyConnection, table: PublishedTable, catalog: list[tuple[str, str, str, str]]
) -> list[str]:
    """Drop quasi-identifier columns of a general table, most distinct values first,
    until every combination of the remaining ones covers >= K customers."""
    present = {c[1] for c in catalog if c[0] == table.name}
    quasi = [c.name for c in table.columns if c.quasi_identifier and c.name in present]
    dropped = []
    name = f"pub.main.{quote_ident(table.name)}"
    while quasi:
        group = ", ".join(quote_ident(q) for q in quasi)
        smallest = con.execute(
            f"select min(n) from (select count(distinct {CUSTOMER_KEY}) as n from {name} "
            f"group by {group})"
        ).fetchone()[0]
        if smallest is None or smallest >= K_ANONYMITY:
            break
        widest = max(
            quasi,
            key=lambda q: con.execute(
                f"select count(distinct {quote_ident(q)}) from {name}"
            ).fetchone()[0],
        )
        con.execute(f"alter table {name} drop column {quote_ident(widest)}")
        quasi.remove(widest)
        dropped.append(widest)
    catalog[:] = [c for c in catalog if not (c[0] == table.name and c[1] in dropped)]
    return dropped


def scan_for_identifiers(
    con: duckdb.DuckDBPyConnection, known: str, clean: set[tuple] | None = None
) -> list[str]:
    """Findings of the value scan over every text column of the open artefact.

    ``clean`` (optional, shared by the clearances of one publication): the contents
    (table, column, count and sum of the values' hashes) found clean so far. A column
    whose content was scanned in another clearance's artefact is not scanned again
    (most columns are the same in the three); the columns found clean are added.

    ``known`` is a query of one column ``v``: the vault's values and tokens, read in
    DuckDB (never fetched into Python: a million customers have millions of them).
    One query for all tables: the distinct text values of each column (unpivoted,
    with their counts), joined once to the known values, and matched against each
    identifier pattern where they hold a run of MIN_DIGITS digits, counted per
    column. Unpivoting leaves the NULL cells out, which can match nothing."""
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema = 'main' "
        "and data_type = 'VARCHAR' and table_name not in ('_catalog', '_publication') "
        "order by 1, 2"
    ).fetchall():
        columns.setdefault(table, []).append(column)
    shapes = "".join(
        f", coalesce(sum(cell.n) filter (where cell.digits and "
        f"regexp_matches(cell.val, {quote_literal(pattern)})), 0)"
        for pattern in IDENTIFIER_PATTERNS.values()
    )
    findings: list[str] = []
    clean = set() if clean is None else clean
    to_scan: dict[str, tuple[list[str], dict[str, tuple]]] = {}
    for table, names in columns.items():
        prints = con.execute(
            "select "
            + ", ".join(
                f"count({quote_ident(c)}), coalesce(sum(hash({quote_ident(c)})), 0)" for c in names
            )
            + f" from {quote_ident(table)}"
        ).fetchone()
        content = {
            c: (table, c, prints[2 * i], int(prints[2 * i + 1])) for i, c in enumerate(names)
        }
        names = [c for c in names if content[c] not in clean]
        if names:
            to_scan[table] = (names, content)
    if not to_scan:
        return findings
    # each distinct value of a column once (codes, labels and reasons repeat), all
    # tables in one query (one join with the known values), and the identifier
    # patterns only on values with a run of MIN_DIGITS digits
    cells = " union all ".join(
        f"select {quote_literal(table)} as tbl, col, val, count(*) as n from (unpivot "
        f"(select {cols} from {quote_ident(table)}) on {cols} into name col value val) "
        "group by all"
        for table, cols in (
            (t, ", ".join(quote_ident(c) for c in names)) for t, (names, _) in to_scan.items()
        )
    )
    dirty: set[str] = set()
    for table, column, equal, *shaped in con.execute(
        f"select cell.tbl, cell.col, coalesce(sum(cell.n) filter (where known.v is not null), 0)"
        f"{shapes} from (select *, regexp_matches(val, '[0-9]{{{MIN_DIGITS}}}') as digits "
        f"from ({cells})) as cell left join ({known}) as known on cell.val = known.v "
        "group by cell.tbl, cell.col order by 1, 2"
    ).fetchall():
        if equal:
            findings.append(f"{table}.{column}: {equal} value(s) equal to a vault value or token")
        findings += [
            f"{table}.{column}: {n} value(s) shaped like a {what}"
            for what, n in zip(IDENTIFIER_PATTERNS, shaped, strict=True)
            if n
        ]
        if equal or any(shaped):
            dirty.add(table)
    for table, (names, content) in to_scan.items():
        if table not in dirty:
            clean.update(content[c] for c in names)
    return findings


def _attach_vault(con: duckdb.DuckDBPyConnection, paths: Paths, keys: KeyStore) -> str:
    """Attach the vault read-only as ``vault`` (when there is one) and return the
    query of its values and tokens (of nothing, without a vault)."""
    if not Path(paths.vault).exists():
        return "select cast(null as varchar) as v where false"
    con.execute(attach_sql(paths.vault, keys.text("vault"), "vault", read_only=True))
    return (
        "select value as v from vault.main.token_values "
        "union select token from vault.main.token_values"
    )


def _build(
    paths: Paths,
    clearance: str,
    tables: list[PublishedTable],
    tmp: Path,
    parquet_dir: Path,
    as_of_date: str,
    run_id: str,
    encrypted: bool,
    scanned_clean: set[tuple] | None = None,
    checks: Sequence[CheckResult] = (),
) -> Publication:
    keys = KeyStore(paths.home)
    key_text = keys.text(clearance)
    counts: dict[str, int] = {}
    catalog: list[tuple[str, str, str, str]] = []
    parquet_hashes: dict[str, str] = {}
    con = new_connection()
    try:
        options = f" (encryption_key {quote_literal(key_text)})" if encrypted else ""
        con.execute(f"attach {quote_literal(str(tmp))} as pub{options}")
        con.execute(attach_sql(paths.warehouse, keys.text("warehouse"), "wh", read_only=True))
        con.execute("use pub")
        general_key = keys.key("general")
        con.create_function(
            "tiering_pseudonym",
            lambda arr: pa.array([pseudonym(general_key, v) for v in arr.to_pylist()], pa.string()),
            [duckdb.sqltypes.VARCHAR],
            duckdb.sqltypes.VARCHAR,
            type="arrow",
            null_handling="special",
        )
        con.execute(f"pragma add_parquet_key('tiering', {quote_literal(parquet_key(key_text))})")
        if clearance == "general":
            # one HMAC per customer (the class table has one row each) for all tables,
            # not one per row: the history tables repeat each customer once per scheme
            # and month (21M rows at a million customers)
            con.execute(
                f"create temp table _pseudonyms as select customer_id, customer_info_class, "
                f"tiering_pseudonym(customer_id) as pseudonym from wh.{CUSTOMER_CLASS_TABLE}"
            )
        for table in tables:
            select, table_catalog = _select(table, clearance)
            name = quote_ident(table.name)
            con.execute(f"create table main.{name} as {select}")
            if clearance == "general" and table.per_customer:
                _enforce_k(con, table, table_catalog)
            catalog.extend(table_catalog)
            counts[table.name] = con.execute(f"select count(*) from main.{name}").fetchone()[0]
            target = parquet_dir / f"{table.name}.parquet"
            encryption = ", encryption_config {footer_key: 'tiering'}" if encrypted else ""
            con.execute(
                f"copy main.{name} to {quote_literal(str(target))} "
                f"(format parquet, compression zstd{encryption})"
            )
            parquet_hashes[table.name] = sha256_file(target)
        con.execute("drop table if exists temp.main._pseudonyms")
        # the run report, from this clearance's tables (and the warehouse's ingest counts)
        report = tmp.parent / f".{REPORT}.{run_id}.tmp"
        report.write_text(
            render(gather(con, clearance, as_of_date, run_id, warehouse="wh", checks=checks)),
            encoding="utf-8",
        )
        con.execute("detach wh")
        # the vault's values and tokens, read once into this in-memory connection (a
        # temp table: never in the artefact; a spill is encrypted), not once per table
        con.execute(f"create temp table _known as {_attach_vault(con, paths, keys)}")
        con.execute("detach database if exists vault")
        findings = scan_for_identifiers(con, "select v from temp.main._known", scanned_clean)
        con.execute("drop table temp.main._known")
        if findings:
            raise PublicationRefused(
                f"{clearance}: the value scan found customer identifiers; nothing was "
                "published:\n  " + "\n  ".join(findings)
            )
        columns = [f"{t}.{c}" for t, c, _, _ in catalog]
        column_hash = hashlib.sha256("\n".join(columns).encode()).hexdigest()
        con.execute(
            "create table main._catalog (table_name varchar, column_name varchar, "
            "info_class varchar, note varchar)"
        )
        # one insert of all rows (executemany runs one statement per row: a second
        # per clearance at ~1,000 columns)
        rows = {name: [row[i] for row in catalog] for i, name in enumerate(("t", "c", "i", "n"))}
        con.register(
            "_catalog_rows", pa.table(rows, schema=pa.schema([(k, pa.string()) for k in rows]))
        )
        con.execute("insert into main._catalog select * from _catalog_rows")
        con.unregister("_catalog_rows")
        con.execute(
            "create table main._publication as select ? as run_id, cast(? as date) as "
            "as_of_date, ? as clearance, cast(? as timestamp) as published_at, "
            "? as column_list_sha256, ? as row_counts, ? as parquet_sha256, ? as encrypted",
            [
                run_id,
                as_of_date,
                clearance,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
                column_hash,
                json.dumps(counts),
                json.dumps(parquet_hashes),
                encrypted,
            ],
        )
        con.execute("checkpoint")
        con.execute("use memory")
        con.execute("detach pub")
    finally:
        con.close()
    _fsync(tmp)
    return Publication(
        clearance=clearance,
        path=tmp,
        parquet_dir=parquet_dir,
        tables=counts,
        columns=columns,
        column_list_sha256=column_hash,
        file_sha256=sha256_file(tmp),
        encrypted=encrypted,
        as_of_date=as_of_date,
        run_id=run_id,
        report=report,
    )


def _swap(folder: Path, pub: Publication) -> Publication:
    target = folder / ARTEFACT
    os.replace(pub.path, target)
    link_tmp = folder / f".parquet.{pub.run_id}.tmp"
    link_tmp.unlink(missing_ok=True)
    link_tmp.symlink_to(pub.parquet_dir.relative_to(folder))
    current = folder / "parquet"
    if current.is_dir() and not current.is_symlink():
        # A real folder (e.g. a copied or restored home) cannot be replaced by a
        # symlink in one rename: keep it as an old release and switch to the link.
        current.rename(folder / "releases" / f"restored-{pub.run_id[:8]}")
    os.replace(link_tmp, current)
    if pub.report is not None:
        _fsync(pub.report)
        os.replace(pub.report, folder / REPORT)
        pub.report = folder / REPORT
    _fsync(folder)
    pub.path = target
    pub.parquet_dir = current
    return pub


def publish(
    paths: Paths,
    manifest: Mapping[str, Any],
    as_of_date: str,
    run_id: str,
    *,
    general_unencrypted: bool = False,
    checks: Sequence[CheckResult] = (),
) -> dict[str, Publication]:
    """Build every clearance's artefact and report (with ``checks``, the run's check
    results so far), scan them all, then swap them in."""
    unclassed = missing_classes(manifest)
    if unclassed:
        raise PublicationRefused(
            f"{len(unclassed)} model column(s) without an information class, nothing"
            f" published: {'; '.join(unclassed[:5])}"
        )
    tables = published_tables(manifest)
    if not tables:
        raise RuntimeError("the manifest has no published models")
    built: dict[str, Publication] = {}
    stamp = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{run_id[:8]}"
    scanned_clean: set[tuple] = set()  # column contents the value scan found clean
    try:
        for clearance in CLEARANCES:
            folder = paths.published / clearance
            folder.mkdir(parents=True, exist_ok=True)
            _clean_stale(folder)
            parquet_dir = folder / "releases" / stamp / "parquet"
            parquet_dir.mkdir(parents=True, exist_ok=True)
            built[clearance] = _build(
                paths,
                clearance,
                tables,
                folder / f".{ARTEFACT}.{run_id}.tmp",
                parquet_dir,
                as_of_date,
                run_id,
                encrypted=not (clearance == "general" and general_unencrypted),
                scanned_clean=scanned_clean,
                checks=checks,
            )
    except BaseException:
        # nothing of a refused or failed publication stays behind (it may hold what
        # the gate refused)
        for clearance in CLEARANCES:
            folder = paths.published / clearance
            (folder / f".{ARTEFACT}.{run_id}.tmp").unlink(missing_ok=True)
            (folder / f".{REPORT}.{run_id}.tmp").unlink(missing_ok=True)
            shutil.rmtree(folder / "releases" / stamp, ignore_errors=True)
        raise
    return {c: _swap(paths.published / c, pub) for c, pub in built.items()}
