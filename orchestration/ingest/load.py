"""Landing files -> ``raw.<source>`` and ``quarantine.<source>``: the ingest of one source.

Each run gives a source's tables the content of everything in its landing folder,
so re-ingesting the same files never duplicates rows. It reads only what is new: the
rows of every file read so far are kept in ``ingest.<source>`` with the checks of the
row alone, and ``ingest.landing_files`` records each file's size, time and sha256. A
file unchanged since the last run is not read again; a changed one replaces its
rows; a removed one takes its rows away. The rules that depend on the run (as-of
date, customers), the duplicates and the key conflicts are decided over all stored
rows, in one pass, so the result equals reading every file again; raw is then
updated in place where rows moved, not rewritten (:func:`_classify`). Every row read
ends in exactly one place:

- ``raw.<source>``: typed, valid, one row per key, with file, row and load time;
- ``quarantine.<source>``: the original text of a rejected row, its file and row
  number and the reason codes (see :data:`REASONS`);
- dropped as an exact duplicate of a row already kept (counted).

Class A values (names, national IDs, phones) are replaced by their HMAC token as
they are loaded, in raw and in quarantine alike (``<column>_token``); the clear
values go to the vault only (:mod:`orchestration.security.vault`), written before
the warehouse commits. Values of columns the contract does not know are kept in
the warehouse as tokens, their clear text in the vault.

``raw.source_manifest`` records the counts per source, which the conservation and
circuit-breaker checks reconcile.
"""

import datetime as dt
import functools
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from contracts.landing import LINEAGE_COLUMNS, Col, Source, raw_table_ddl, source_manifest_ddl
from orchestration.ingest.files import (
    LandedFile,
    LandingFile,
    LandingFileError,
    configured_encoding,
    load_source_files,
    local_files,
)
from orchestration.security import tokens, vault
from orchestration.security.keys import KeyStore
from orchestration.settings import BUSINESS_TZ, Paths, is_uri, lake_refusal
from orchestration.warehouse import connect, quote_ident, quote_literal, table_columns

#: reason codes written to quarantine.<source>.reason_code, with their meaning.
REASONS: dict[str, str] = {
    "MISSING_REQUIRED": "a required value is empty",
    "INVALID_NUMBER": "not a number of the contract's type",
    "INVALID_DATE": "not a date / timestamp",
    "INVALID_BOOLEAN": "not true/false",
    "NEGATIVE_AMOUNT": "an amount below zero",
    "OUT_OF_RANGE": "a number outside the contract's bounds",
    "UNKNOWN_CODE": "a code the contract does not list (e.g. transaction_type; a tier code"
    " that is not a code of the override's scheme)",
    "BAD_FORMAT": "text that does not match the contract's pattern",
    "UNKNOWN_CUSTOMER": "customer_id not in customers",
    "FUTURE_DATE": "event after the as-of date",
    "CUSTOMER_HELD_BACK": "the row's customer is held back (onboarded after the as-of date)",
    "KEY_CONFLICT": "same key as an earlier row with different content",
    "INVALID_PERIOD": "a period that ends before it starts (valid_until before valid_from)",
}

#: reasons that hold a row back rather than reject it as defective: a row dated after
#: the as-of date is normal when a past date is (re)run on today's files, and so is a
#: row of a customer who is held back for that reason; such rows are quarantined
#: (kept, counted) but do not count towards the circuit breaker.
HELD_BACK_REASONS: tuple[str, ...] = ("FUTURE_DATE", "CUSTOMER_HELD_BACK")

#: a landing timestamp that ends with a UTC offset (``Z``, ``+08``, ``+08:00``, ``-0500``).
_OFFSET_TIMESTAMP = r"[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)? ?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"

MANIFEST_DDL = source_manifest_ddl()

#: the schema of what ingest keeps between runs: per source every row read so far
#: (``ingest.<source>``), the unknown columns' values (``ingest.<source>_extra_columns``)
#: and what it read of each landing file (``ingest.landing_files``).
STORE_SCHEMA = "ingest"
LANDING_FILES_DDL = f"""create table if not exists {STORE_SCHEMA}.landing_files (
  source varchar, file varchar, size bigint, mtime_ns bigint, sha256 varchar,
  encoding varchar, extra_columns varchar[], version varchar, loaded_at timestamp,
  run_id varchar, rows_read bigint default 0, rows_loaded bigint default 0,
  rows_quarantined bigint default 0, rows_duplicate bigint default 0,
  primary key (source, file))"""


@dataclass
class IngestResult:
    source: str
    is_present: bool
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    extra_columns: list[str] = field(default_factory=list)
    top_reasons: dict[str, int] = field(default_factory=dict)
    #: the files read by this run (new or changed) and the stored files dropped
    #: (gone from the landing folder); the others were unchanged and not read
    files_read: list[str] = field(default_factory=list)
    files_dropped: list[str] = field(default_factory=list)
    #: clear class A / extra-column values and their tokens, for the vault (not
    #: persisted in the warehouse): (column_name, token, value) and, for customers,
    #: (customer_id, column_name, token).
    vault_values: pa.Table | None = field(default=None, repr=False)
    vault_customers: pa.Table | None = field(default=None, repr=False)

    @property
    def quarantine_share(self) -> float:
        return self.rows_quarantined / self.rows_read if self.rows_read else 0.0


def _type_reason(col: Col) -> str:
    t = col.sql_type.upper()
    if t.startswith(("DATE", "TIMESTAMP")):
        return "INVALID_DATE"
    if t == "BOOLEAN":
        return "INVALID_BOOLEAN"
    return "INVALID_NUMBER"


def typed_value(col: Col, v: str, engine: str = "duckdb") -> str:
    """SQL of the landing text ``v`` as the column's type (NULL when it does not cast).
    A timestamp with a UTC offset becomes its wall time in the business time zone
    (20:00Z is 04:00 the next day in Shanghai); one without an offset is taken as
    business time already.

    DuckDB SQL; with ``engine="spark"``, SQL that transpiles
    (:func:`orchestration.ingest.spark.spark_sql`) to Spark's equivalent of DuckDB's
    casts (:func:`_spark_typed_value`).
    """
    if col.sql_type == "VARCHAR":
        return v
    if engine == "spark":
        return _spark_typed_value(col, v)
    if col.sql_type.upper() == "TIMESTAMP":
        return (
            f"case when regexp_matches({v}, {quote_literal(_OFFSET_TIMESTAMP)}) "
            f"then timezone({quote_literal(BUSINESS_TZ)}, try_cast({v} as timestamptz)) "
            f"else try_cast({v} as timestamp) end"
        )
    return f"try_cast({v} as {col.sql_type})"


#: the shape of a landing date, and of a timestamp without an offset, on Spark: its
#: casts also take a bare year or month ('2026', '2026-10'), an hour alone and a
#: region-id suffix, which DuckDB refuses; they refuse a date written with slashes
#: ('2026/10/31'), which DuckDB reads, so slashes become dashes first
#: (tests/spark/test_spark_ingest.py holds the values compared)
_SPARK_DATE = r"^[0-9]{4}(-[0-9]{1,2}-[0-9]{1,2}|/[0-9]{1,2}/[0-9]{1,2})"
_SPARK_TIME = r"([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?"


def _spark_typed_value(col: Col, v: str) -> str:
    """:func:`typed_value` for Spark (DuckDB SQL that transpiles to what Spark must run):
    it accepts no value that DuckDB refuses, and gives the value DuckDB gives."""
    t = col.sql_type.upper()
    dashes = f"replace({v}, '/', '-')"
    plain = quote_literal(f"{_SPARK_DATE}{_SPARK_TIME}\\z")
    if t == "DATE":
        # DuckDB takes a date with a time of day, and drops the time
        return f"case when regexp_matches({v}, {plain}) then try_cast({dashes} as date) end"
    if t == "TIMESTAMP":
        offset = quote_literal(_SPARK_DATE + _OFFSET_TIMESTAMP)
        # timestamptz is Spark's TIMESTAMP (an instant: the offset counts), timestamp
        # its TIMESTAMP_NTZ (the wall time as written); the session's zone is UTC
        return (
            f"case when regexp_matches({v}, {offset}) then from_utc_timestamp("
            f"try_cast({dashes} as timestamptz), {quote_literal(BUSINESS_TZ)}) "
            f"when regexp_matches({v}, {plain}) then try_cast({dashes} as timestamp) end"
        )
    if t == "INTEGER":
        # DuckDB takes '7.0' and '1e3', and rounds '7.5' half away from zero (8)
        return f"try_cast(round(try_cast({v} as decimal(38, 18))) as integer)"
    return f"try_cast({v} as {col.sql_type})"


def _held_back_customers() -> str:
    """Customers quarantined only for held-back reasons (onboarded after the as-of date)."""
    held = ", ".join(quote_literal(r) for r in HELD_BACK_REASONS)
    return (
        "select customer_id from quarantine.customers where len(list_filter("
        f"string_split(reason, '; '), r -> split_part(r, ':', 1) not in ({held}))) = 0"
    )


def static_reason_exprs(source: Source, engine: str = "duckdb") -> list[str]:
    """One SQL expression per rule of the row alone (types, codes, bounds, formats):
    the reason text when the row breaks it, else null. Evaluated once, when the file
    that holds the row is read: by DuckDB, or by Spark (``engine="spark"``, then
    transpiled; see :func:`typed_value`)."""
    exprs: list[str] = []
    for col in source.columns:
        v = quote_ident(col.name)
        typed = typed_value(col, v, engine)
        name = quote_literal(col.name)
        if col.required:
            exprs.append(f"case when {v} is null then 'MISSING_REQUIRED:' || {name} end")
        if col.sql_type != "VARCHAR":
            exprs.append(
                f"case when {v} is not null and {typed} is null "
                f"then '{_type_reason(col)}:' || {name} end"
            )
        if col.allowed:
            values = ", ".join(quote_literal(a) for a in col.allowed)
            exprs.append(
                f"case when {v} is not null and {v} not in ({values}) "
                f"then 'UNKNOWN_CODE:' || {name} end"
            )
        if col.allowed_per:
            other, per_value = col.allowed_per
            o = quote_ident(other)
            branches = " ".join(
                f"when {quote_literal(value)} then {v} in "
                f"({', '.join(quote_literal(a) for a in codes)})"
                for value, codes in per_value
            )
            listed = ", ".join(quote_literal(value) for value, _ in per_value)
            # only against a listed value of the other column: an unlisted one is
            # that column's UNKNOWN_CODE, not this one's
            exprs.append(
                f"case when {v} is not null and {o} in ({listed}) "
                f"and not (case {o} {branches} end) then 'UNKNOWN_CODE:' || {name} end"
            )
        if col.not_before:
            start = source.column(col.not_before)
            exprs.append(
                f"case when {typed} < {typed_value(start, quote_ident(start.name), engine)} "
                f"then 'INVALID_PERIOD:' || {name} end"
            )
        if col.min is not None:
            money = col.min == 0 and "DECIMAL" in col.sql_type
            code = "NEGATIVE_AMOUNT" if money else "OUT_OF_RANGE"
            exprs.append(f"case when {typed} < {col.min} then '{code}:' || {name} end")
        if col.max is not None:
            exprs.append(f"case when {typed} > {col.max} then 'OUT_OF_RANGE:' || {name} end")
        if col.pattern:
            # the whole value matches: anchored at its very start and end (\z, not $,
            # which in Java's regexes also matches before a final line break)
            whole = quote_literal("^(?:" + col.pattern + ")\\z")
            exprs.append(
                f"case when {v} is not null and not regexp_matches({v}, {whole}) "
                f"then 'BAD_FORMAT:' || {name} end"
            )
    return exprs


def _dynamic_reason_exprs(source: Source, as_of: dt.date) -> list[str]:
    """The rules that depend on the run, not on the row alone: the as-of date and the
    customers loaded. Evaluated on every row by every run."""
    exprs: list[str] = []
    if source.event_time:
        col = source.column(source.event_time)
        # A date column is compared with the as-of day, a timestamp with its end.
        limit = (
            f"date '{as_of}'" if col.sql_type == "DATE" else f"timestamp '{as_of}' + interval 1 day"
        )
        op = "> " if col.sql_type == "DATE" else ">= "
        exprs.append(
            f"case when {typed_value(col, quote_ident(col.name))} {op}{limit} "
            f"then 'FUTURE_DATE:' || {quote_literal(col.name)} end"
        )
    if source.child_of_customers:
        exprs.append(
            "case when customer_id is not null and customer_id not in "
            "(select customer_id from raw.customers) then case when customer_id in "
            f"({_held_back_customers()}) then 'CUSTOMER_HELD_BACK:customer_id' "
            "else 'UNKNOWN_CUSTOMER:customer_id' end end"
        )
    return exprs


def top_reasons(con: duckdb.DuckDBPyConnection, source: str, limit: int = 5) -> dict[str, int]:
    """Most frequent quarantine reasons of a source, e.g. ``{"INVALID_NUMBER:amount": 3}``."""
    return dict(
        con.execute(
            f"select r, count(*) as n from (select unnest(string_split(reason, '; ')) as r "
            f"from quarantine.{source}) group by r order by n desc, r limit {int(limit)}"
        ).fetchall()
    )


def defective_rows(con: duckdb.DuckDBPyConnection, source: str) -> int:
    """Quarantined rows with at least one reason that is not a held-back reason."""
    held = ", ".join(quote_literal(r) for r in HELD_BACK_REASONS)
    return con.execute(
        f"select count(*) from quarantine.{source} where len(list_filter("
        f"string_split(reason, '; '), r -> split_part(r, ':', 1) not in ({held}))) > 0"
    ).fetchone()[0]


def _reasons_list(exprs: list[str]) -> str:
    """SQL of the list of the non-null reasons among ``exprs``."""
    if not exprs:
        return "cast([] as varchar[])"
    return "list_filter([" + ", ".join(exprs) + "], r -> r is not null)"


def _store_ddl(source: Source) -> str:
    """The rows of every landing file read so far: each value as cleaned text (class
    A as its token), where it came from, the reasons of the row alone and a hash of
    its content (one window per key instead of one over every column)."""
    cols = ", ".join(f"{quote_ident(c.stored_name)} varchar" for c in source.columns)
    return (
        f"create table if not exists {STORE_SCHEMA}.{source.name} ({cols}, "
        "_source_file varchar, _source_row bigint, _static varchar[], _content ubigint)"
    )


def store_version(source: Source, pii_key: bytes, engine: str = "duckdb") -> str:
    """What the stored rows depend on besides their files: the source's contract (its
    checks), the configured encoding, the token key and the engine that read them
    (DuckDB's ``hash()``, of its version, or Spark's makes the content hashes, which
    are compared across files). Another version re-reads every file of the source."""
    key_id = hmac.new(pii_key, b"ingest store", hashlib.sha256).hexdigest()
    reader = duckdb.__version__ if engine == "duckdb" else engine
    text = repr((source, configured_encoding(source.name), key_id, reader))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _plan(
    con: duckdb.DuckDBPyConnection, source: Source, files: list[LandingFile], version: str
) -> tuple[list[LandingFile], list[str], list[LandingFile], dict[str, str]]:
    """(files to read, stored files gone from the landing location, unchanged files,
    the sha256 of each file whose content was compared).

    A file whose size and modification time are those the store read is unchanged
    and not read again. One whose size or time changed is compared by content
    (sha256): the same content (a touched or copied file) is unchanged; other content
    replaces the file's rows. A stored file no longer in the landing location is
    dropped with its rows. A store of another version (contract, encoding, token key,
    engine) is re-read in full.
    """
    stored = {
        row[0]: row[1:]
        for row in con.execute(
            f"select file, size, mtime_ns, sha256, version from {STORE_SCHEMA}.landing_files "
            "where source = ?",
            [source.name],
        ).fetchall()
    }
    names = {f.relative for f in files}
    read, gone, unchanged = [], [f for f in stored if f not in names], []
    digests: dict[str, str] = {}
    for f in files:
        before = stored.get(f.relative)
        if before is None or before[3] != version:
            read.append(f)
        elif (f.size, f.mtime_ns) == (before[0], before[1]):
            unchanged.append(f)
        else:
            digests[f.relative] = f.sha256()
            (unchanged if digests[f.relative] == before[2] else read).append(f)
    return read, gone, unchanged, digests


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    landing: Path | str,
    source: Source,
    as_of: dt.date,
    run_id: str,
    version: str,
    spark_reader: Callable[..., list[LandedFile]] | None = None,
    finder: Callable[[str], list[LandingFile]] | None = None,
) -> IngestResult:
    """Load one source into raw/quarantine and return the counts (the caller holds
    the transaction).

    Only the files that are new or changed since the last run are read (their rows
    replace the file's earlier rows in the store ``ingest.<source>``); the rules that
    depend on the run (as-of date, customers), the duplicates and the key conflicts
    are then decided over every stored row, so the result is exactly that of reading
    every file again.

    ``spark_reader``: the files are read and their rows checked by Spark
    (:func:`orchestration.ingest.spark.read_source_files`, with its home and key
    bound) instead of DuckDB; the rest is the same.

    ``finder``: finds a source's files in ``landing`` when it is not a local folder
    (a lake URI: :func:`orchestration.ingest.lake.lake_files`, with its session bound).
    """
    files = (finder or functools.partial(local_files, landing))(source.name)
    result = IngestResult(
        source=source.name, is_present=bool(files), files=[f.relative for f in files]
    )
    if not files and source.mandatory:
        raise LandingFileError(
            f"no file for mandatory source {source.name!r} in {landing} "
            f"(expected {source.name}*.csv|parquet or {source.name}/*.csv|parquet)"
        )
    for schema in ("raw", "quarantine", STORE_SCHEMA):
        con.execute(f"create schema if not exists {schema}")
    con.execute(MANIFEST_DDL)
    con.execute(LANDING_FILES_DDL)
    con.execute(_store_ddl(source))
    if source.child_of_customers and not table_columns(con, "customers", "raw"):
        raise RuntimeError(
            f"{source.name}: ingest customers first (customer_id is checked against raw.customers)"
        )
    store = f"{STORE_SCHEMA}.{source.name}"
    extras = f"{STORE_SCHEMA}.{source.name}_extra_columns"
    con.execute(
        f"create table if not exists {extras} (_source_file varchar, _source_row bigint, "
        "column_name varchar, value_token varchar)"
    )
    read, gone, unchanged, digests = _plan(con, source, files, version)
    result.files_read = [d.relative for d in read]
    result.files_dropped = gone

    # The files read replace their earlier rows (if any); the dropped ones leave.
    drop = gone + result.files_read
    for table in (store, extras):
        con.execute(
            f"delete from {table} where _source_file in (select unnest(?::varchar[]))", [drop]
        )
    con.execute(
        f"delete from {STORE_SCHEMA}.landing_files where source = ? "
        "and file in (select unnest(?::varchar[]))",
        [source.name, drop],
    )
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    cols = source.column_names
    clean = ", ".join(f"nullif(trim({quote_ident(c)}), '') as {quote_ident(c)}" for c in cols)
    stored = ", ".join(quote_ident(c.stored_name) for c in source.columns)
    class_a = [c for c in source.columns if c.info_class == "A"]
    # Class A values get their token here, once; only the tokens are stored.
    tokenised = "".join(
        f", {tokens.SQL_FUNCTION}({quote_ident(c.name)}) as {quote_ident(c.stored_name)}"
        for c in class_a
    )
    static = _reasons_list(static_reason_exprs(source))
    content = f"hash({', '.join(quote_ident(c) for c in cols)})"
    # the clear class A values of the files read, with their tokens, for the vault
    con.execute(
        "create or replace temp table _vault_values "
        "(column_name varchar, token varchar, value varchar)"
    )

    def store_rows(file_rows: str) -> None:
        """One landing file's rows, cleaned and checked, straight into the store."""
        checked = f"select {clean}, _source_file, _source_row from ({file_rows})"
        if class_a:
            # the clear values and their tokens once, for the store and the vault
            con.execute(
                "create or replace temp table _file_checked as "
                f"select *{tokenised} from ({checked})"
            )
            checked = "select * from _file_checked"
            con.execute(
                "insert into _vault_values "
                + " union all ".join(
                    f"select {quote_literal(c.name)}, {quote_ident(c.stored_name)}, "
                    f"{quote_ident(c.name)} from _file_checked "
                    f"where {quote_ident(c.stored_name)} is not null"
                    for c in class_a
                )
            )
        con.execute(
            f"insert into {store} ({stored}, _source_file, _source_row, _static, _content) "
            f"select {stored}, _source_file, _source_row, {static}, {content} "
            f"from ({checked})"
        )

    if spark_reader is None:
        landed = load_source_files(con, source, read, store_rows, "_landed_extra")
    else:
        landed = spark_reader(
            con,
            source,
            read,
            store,
            static_reason_exprs(source, "spark"),
            "_landed_extra",
            "_vault_values",
        )
    # unknown columns' values: their tokens, once, for the store and the vault
    con.execute(
        "create or replace temp table _extra_tokens as select *, "
        f"{tokens.SQL_FUNCTION}(value) as value_token from _landed_extra"
    )
    con.execute(
        f"insert into {extras} select _source_file, _source_row, column_name, value_token "
        "from _extra_tokens"
    )
    delivered = {d.relative: d for d in read}
    for item in landed:
        d = delivered[item.relative]
        con.execute(
            f"insert into {STORE_SCHEMA}.landing_files (source, file, size, mtime_ns, sha256, "
            "encoding, extra_columns, version, loaded_at, run_id) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                source.name,
                d.relative,
                d.size,
                d.mtime_ns,
                item.sha256 or digests.get(d.relative) or d.sha256(),
                item.encoding,
                item.extra_columns,
                version,
                loaded_at,
                run_id,
            ],
        )
    for d in unchanged:  # a touched file: same content, new time
        con.execute(
            f"update {STORE_SCHEMA}.landing_files set mtime_ns = ? where source = ? and file = ?",
            [d.mtime_ns, source.name, d.relative],
        )
    # raw is updated in place when some files are unchanged since a run whose
    # exceptions are kept; rebuilt from the store when every file is read anyway
    _classify(con, source, as_of, run_id, loaded_at, changed=drop if unchanged else None)
    _collect_vault_values(con, source, result)

    result.extra_columns = sorted(
        f"{file}:{column}"
        for (file, column) in con.execute(
            f"select file, unnest(extra_columns) from {STORE_SCHEMA}.landing_files "
            "where source = ?",
            [source.name],
        ).fetchall()
    )
    # per file: read = loaded + quarantined + duplicates, kept with the file; the
    # source's counts are their sums
    con.execute(
        f"""
        update {STORE_SCHEMA}.landing_files as f set rows_read = c.n, rows_loaded = c.loaded,
          rows_quarantined = c.quarantined, rows_duplicate = c.duplicate
        from (select _source_file, t.n, t.n - coalesce(e.quarantined, 0)
                - coalesce(e.duplicate, 0) as loaded,
                coalesce(e.quarantined, 0) as quarantined, coalesce(e.duplicate, 0) as duplicate
              from (select _source_file, count(*) as n from {store} group by all) as t
              left join (select _source_file,
                  count(*) filter (_status = 'quarantined') as quarantined,
                  count(*) filter (_status = 'duplicate') as duplicate
                from _exceptions group by all) as e using (_source_file)) as c
        where f.source = ? and f.file = c._source_file""",
        [source.name],
    )
    result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_duplicate = (
        int(n)
        for n in con.execute(
            "select coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), "
            "coalesce(sum(rows_quarantined), 0), coalesce(sum(rows_duplicate), 0) "
            f"from {STORE_SCHEMA}.landing_files where source = ?",
            [source.name],
        ).fetchone()
    )
    result.top_reasons = top_reasons(con, source.name)
    con.execute("delete from raw.source_manifest where source = ?", [source.name])
    con.execute(
        "insert into raw.source_manifest values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            source.name,
            result.is_present,
            len(files),
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            result.rows_duplicate,
            ", ".join(result.extra_columns),
            loaded_at,
            run_id,
        ],
    )
    for t in (
        "_landed_extra",
        "_extra_tokens",
        "_vault_values",
        "_file_checked",
        "_rejected",
        "_exceptions",
        "_newly_excepted",
        "_released",
    ):
        con.execute(f"drop table if exists {t}")
    return result


def _classify(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    as_of: dt.date,
    run_id: str,
    loaded_at: dt.datetime,
    changed: list[str] | None = None,
) -> None:
    """Every stored row of ``source`` to raw, quarantine or the duplicates.

    A row's reasons are its own (stored) and the run's (as-of date, customers). Among
    the valid rows the first of a set of identical rows (file name, then row) is kept
    and the others are exact duplicates; of rows sharing a key with different
    content the first delivered wins and the rest are KEY_CONFLICT.

    Only the exceptions are gathered (``_exceptions``: the rows with a reason, and
    the duplicates and conflicts, found among the few rows whose key is repeated):
    raw is the store without them, typed. No window runs over every row, and no
    copy of the whole store is made on the way.

    ``changed``: the files whose rows this run replaced or removed, when the other
    files are unchanged. raw is then brought up to date in place, not rebuilt (a
    night that adds one file does not rewrite every row): the rows of the changed
    files leave it, and enter again from the store unless they are exceptions now;
    rows that became exceptions leave it; rows that were exceptions of the last run
    and no longer are (a later as-of date, a customer delivered since) enter it. So
    raw is again exactly the store without the exceptions, and a row keeps the
    ``_loaded_at`` and ``_run_id`` of the run that put it there. Without ``changed``,
    or without the last run's exceptions (kept in ``ingest.<source>_exceptions``) or
    raw table, raw is rebuilt from the store.
    """
    store = f"{STORE_SCHEMA}.{source.name}"
    key = ", ".join(quote_ident(k) for k in source.key)
    same_key = " and ".join(
        f"r.{quote_ident(k)} is not distinct from k.{quote_ident(k)}" for k in source.key
    )
    dynamic = _reasons_list(_dynamic_reason_exprs(source, as_of))
    con.execute(f"""
        create or replace temp table _rejected as
        select _source_file, _source_row, _reasons from (
          select _source_file, _source_row, list_concat(_static, {dynamic}) as _reasons
          from {store})
        where len(_reasons) > 0""")
    con.execute(f"""
        create or replace temp table _exceptions as
        with valid as (
          select {key}, _content, _source_file, _source_row from {store}
          anti join _rejected using (_source_file, _source_row)),
        repeated as (
          select r.* from valid as r
          semi join (select {key} from valid group by all having count(*) > 1) as k
            on {same_key}),
        numbered as (
          select *,
            row_number() over (
              partition by {key}, _content order by _source_file, _source_row) as _copy_no,
            min((_source_file, _source_row)) over (partition by {key}, _content) as _first
          from repeated),
        ranked as (
          select *, dense_rank() over (partition by {key} order by _first) as _version_no
          from numbered)
        select _source_file, _source_row, 'duplicate' as _status,
          cast(null as varchar[]) as _reasons
        from ranked where _copy_no > 1
        union all
        select _source_file, _source_row, 'quarantined',
          ['KEY_CONFLICT:' || {quote_literal(", ".join(source.key))}]
        from ranked where _copy_no = 1 and _version_no > 1
        union all
        select _source_file, _source_row, 'quarantined', _reasons from _rejected""")
    typed = ", ".join(
        quote_ident(c.stored_name)
        if c.info_class == "A"
        else f"{typed_value(c, quote_ident(c.name))} as {quote_ident(c.name)}"
        for c in source.columns
    )
    stored = ", ".join(quote_ident(c.stored_name) for c in source.columns)
    lineage = (
        f"_source_file, _source_row, timestamp '{loaded_at}' as _loaded_at, "
        f"{quote_literal(run_id)} as _run_id"
    )
    raw_cols = stored + ", " + ", ".join(n for n, _ in LINEAGE_COLUMNS)
    raw = f"raw.{source.name}"
    kept = f"{store}_exceptions"  # the exceptions of the last run, for the next
    in_place = (
        changed is not None
        and bool(table_columns(con, source.name, "raw"))
        and bool(table_columns(con, f"{source.name}_exceptions", STORE_SCHEMA))
    )
    if in_place:
        # constant lists, so that DuckDB skips the row groups of other files
        files = ", ".join(quote_literal(f) for f in changed)
        rows_to_load = f"_source_file in ({files})" if changed else "false"
        con.execute(f"delete from {raw} where {rows_to_load}")
        # rows of unchanged files that became exceptions, and exceptions that no longer are
        con.execute(f"""
            create or replace temp table _newly_excepted as
            select _source_file, _source_row from _exceptions
            anti join {kept} using (_source_file, _source_row)
            where not ({rows_to_load})""")
        con.execute(f"""
            create or replace temp table _released as
            select _source_file, _source_row from {kept}
            anti join _exceptions using (_source_file, _source_row)
            where not ({rows_to_load})""")
        if con.execute("select count(*) from _newly_excepted").fetchone()[0]:
            con.execute(
                f"delete from {raw} using _newly_excepted as e "
                f"where {raw}._source_file = e._source_file "
                f"and {raw}._source_row = e._source_row"
            )
    else:
        rows_to_load = "true"  # every row of the store
        con.execute(f"drop table if exists {raw}")
        con.execute(raw_table_ddl(source))
    con.execute(f"""insert into {raw} ({raw_cols})
        select {typed}, {lineage} from {store}
        anti join _exceptions using (_source_file, _source_row)
        where {rows_to_load}
        order by _source_file, _source_row""")
    if in_place and con.execute("select count(*) from _released").fetchone()[0]:
        con.execute(f"""insert into {raw} ({raw_cols})
            select {typed}, {lineage} from {store}
            semi join _released using (_source_file, _source_row)
            order by _source_file, _source_row""")
    con.execute(
        f"create or replace table {kept} as select _source_file, _source_row from _exceptions"
    )
    con.execute(
        f"create or replace table quarantine.{source.name} as "
        f"select {stored}, _source_file, _source_row, "
        f"split_part(_reasons[1], ':', 1) as reason_code, "
        f"array_to_string(_reasons, '; ') as reason, {lineage} "
        f"from {store} inner join _exceptions using (_source_file, _source_row) "
        "where _status = 'quarantined' order by _source_file, _source_row"
    )
    # Unknown columns: their names and value tokens; the values are in the vault.
    con.execute(
        f"create or replace table quarantine.{source.name}_extra_columns as "
        f"select _source_file, _source_row, column_name, value_token, "
        f"{quote_literal(run_id)} as _run_id from {store}_extra_columns "
        "order by _source_file, _source_row, column_name"
    )


def _collect_vault_values(
    con: duckdb.DuckDBPyConnection, source: Source, result: IngestResult
) -> None:
    """For the vault: the clear values behind the tokens of the files read by this run
    (those of unchanged files are in it already) and each customer's tokens."""
    selects = [
        "select column_name, token, value from _vault_values",
        "select 'extra:' || column_name as column_name, value_token as token, "
        "trim(value) as value from _extra_tokens where nullif(trim(value), '') is not null",
    ]
    result.vault_values = con.execute(
        "select distinct * from (" + " union all ".join(selects) + ")"
    ).to_arrow_table()
    if source.class_a and source.name == "customers":
        result.vault_customers = con.execute(
            " union all ".join(
                f"select customer_id, {quote_literal(c.name)} as column_name, "
                f"{quote_ident(c.stored_name)} as token from raw.customers"
                for c in source.columns
                if c.info_class == "A"
            )
        ).to_arrow_table()


def run_ingest(
    paths: Paths, source: Source, as_of: dt.date, run_id: str, engine: str = "duckdb"
) -> IngestResult:
    """Ingest one source atomically: on any error the previous raw tables stay.

    ``engine="spark"``: Spark reads and checks the landing files
    (:mod:`orchestration.ingest.spark`); the outcome is the same. The landing location
    may then be a lake URI (:mod:`orchestration.ingest.lake`); on DuckDB it is a
    local (or mounted) folder.

    The vault receives the clear class A values before the warehouse commits, so
    every token in the warehouse has its value in the vault.
    """
    if refusal := lake_refusal(paths.landing, engine):
        raise LandingFileError(refusal)
    with connect(paths.warehouse) as con:
        pii = KeyStore(paths.home).key("pii")
        tokens.register(con, pii)
        spark_reader = finder = None
        if engine == "spark":
            from orchestration.ingest import lake, spark

            spark_reader = functools.partial(spark.read_source_files, home=paths.home, pii_key=pii)
            if is_uri(paths.landing):
                finder = functools.partial(
                    lake.lake_files, spark.session(paths.home), str(paths.landing)
                )
        con.execute("begin transaction")
        try:
            version = store_version(source, pii, engine)
            result = ingest_source(
                con, paths.landing, source, as_of, run_id, version, spark_reader, finder
            )
            if result.vault_values is not None and result.vault_values.num_rows:
                vault.store(paths, result.vault_values, result.vault_customers, run_id)
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
    return result
