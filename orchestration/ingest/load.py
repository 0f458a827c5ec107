"""Landing files -> ``raw.<source>`` and ``quarantine.<source>``: the ingest of one source.

Each run reloads a source from everything in its landing folder, so re-ingesting
the same files never duplicates rows. Every row read ends in exactly one place:

- ``raw.<source>``: typed, valid, one row per key, with file, row and load time;
- ``quarantine.<source>``: the original text of a rejected row, its file and row
  number and the reason codes (see :data:`REASONS`);

Class A values (names, national IDs, phones) are replaced by their HMAC token as
they are loaded, in raw and in quarantine alike (``<column>_token``); the clear
values go to the vault only (:mod:`orchestration.security.vault`), written before
the warehouse commits. Values of columns the contract does not know are kept in
the warehouse as tokens, their clear text in the vault.
- dropped as an exact duplicate of a row already kept (counted).

``raw.source_manifest`` records the counts per source, which the conservation and
circuit-breaker checks reconcile.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from contracts.landing import LINEAGE_COLUMNS, Col, Source, raw_table_ddl, source_manifest_ddl
from orchestration.ingest.files import LandingFileError, find_files, load_source_files
from orchestration.security import tokens, vault
from orchestration.security.keys import KeyStore
from orchestration.settings import BUSINESS_TZ, Paths
from orchestration.warehouse import connect, quote_ident, quote_literal

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


def typed_value(col: Col, v: str) -> str:
    """SQL of the landing text ``v`` as the column's type (NULL when it does not cast).
    A timestamp with a UTC offset becomes its wall time in the business time zone
    (20:00Z is 04:00 the next day in Shanghai); one without an offset is taken as
    business time already."""
    if col.sql_type == "VARCHAR":
        return v
    if col.sql_type.upper() == "TIMESTAMP":
        return (
            f"case when regexp_matches({v}, {quote_literal(_OFFSET_TIMESTAMP)}) "
            f"then timezone({quote_literal(BUSINESS_TZ)}, try_cast({v} as timestamptz)) "
            f"else try_cast({v} as timestamp) end"
        )
    return f"try_cast({v} as {col.sql_type})"


def _held_back_customers() -> str:
    """Customers quarantined only for held-back reasons (onboarded after the as-of date)."""
    held = ", ".join(quote_literal(r) for r in HELD_BACK_REASONS)
    return (
        "select customer_id from quarantine.customers where len(list_filter("
        f"string_split(reason, '; '), r -> split_part(r, ':', 1) not in ({held}))) = 0"
    )


def _reason_exprs(source: Source, as_of: dt.date) -> list[str]:
    """One SQL expression per rule: the reason text when the row breaks it, else null."""
    exprs: list[str] = []
    for col in source.columns:
        v = quote_ident(col.name)
        typed = typed_value(col, v)
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
                f"case when {typed} < {typed_value(start, quote_ident(start.name))} "
                f"then 'INVALID_PERIOD:' || {name} end"
            )
        if col.min is not None:
            money = col.min == 0 and "DECIMAL" in col.sql_type
            code = "NEGATIVE_AMOUNT" if money else "OUT_OF_RANGE"
            exprs.append(f"case when {typed} < {col.min} then '{code}:' || {name} end")
        if col.max is not None:
            exprs.append(f"case when {typed} > {col.max} then 'OUT_OF_RANGE:' || {name} end")
        if col.pattern:
            exprs.append(
                f"case when {v} is not null and not regexp_full_match({v}, "
                f"{quote_literal(col.pattern)}) then 'BAD_FORMAT:' || {name} end"
            )
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


def ingest_source(
    con: duckdb.DuckDBPyConnection, landing: Path, source: Source, as_of: dt.date, run_id: str
) -> IngestResult:
    """Load one source into raw/quarantine inside one transaction and return the counts."""
    files = find_files(landing, source.name)
    result = IngestResult(
        source=source.name,
        is_present=bool(files),
        files=[f.relative_to(landing).as_posix() for f in files],
    )
    if not files and source.mandatory:
        raise LandingFileError(
            f"no file for mandatory source {source.name!r} in {landing} "
            f"(expected {source.name}*.csv|parquet or {source.name}/*.csv|parquet)"
        )
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists quarantine")
    con.execute(MANIFEST_DDL)
    if (
        source.child_of_customers
        and not con.execute(
            "select 1 from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'customers'"
        ).fetchone()
    ):
        raise RuntimeError(
            f"{source.name}: ingest customers first (customer_id is checked against raw.customers)"
        )
    landed = load_source_files(con, landing, source, files, "_landed")
    result.extra_columns = sorted({f"{f.relative}:{c}" for f in landed for c in f.extra_columns})

    # Empty strings are nulls; then every rule yields a reason or null. Class A
    # values get their token here, once; only the tokens are written to tables.
    cols = source.column_names
    clean = ", ".join(f"nullif(trim({quote_ident(c)}), '') as {quote_ident(c)}" for c in cols)
    reasons = "list_filter([" + ", ".join(_reason_exprs(source, as_of)) + "], r -> r is not null)"
    token_cols = "".join(
        f", {tokens.SQL_FUNCTION}({quote_ident(c.name)}) as {quote_ident(c.stored_name)}"
        for c in source.columns
        if c.info_class == "A"
    )
    con.execute(f"""
        create or replace temp table _checked as
        with cleaned as (select {clean}, _source_file, _source_row from _landed)
        select *, {reasons} as _reasons,
          row_number() over (order by _source_file, _source_row) as _ord{token_cols}
        from cleaned""")
    key = ", ".join(quote_ident(k) for k in source.key)
    content = ", ".join(quote_ident(c) for c in cols)
    # Among valid rows: the first of a set of identical rows is kept, the others are
    # exact duplicates; of rows sharing a key with different content the first
    # delivered (file name, then row) wins and the rest are KEY_CONFLICT.
    con.execute(f"""
        create or replace temp table _ranked as
        select *,
          row_number() over (partition by {content} order by _ord) as _copy_no,
          dense_rank() over (partition by {key} order by _first_seen) as _version_no
        from (
          select *, min(_ord) over (partition by {content}) as _first_seen
          from _checked where len(_reasons) = 0)""")
    typed = ", ".join(
        quote_ident(c.stored_name)
        if c.info_class == "A"
        else f"{typed_value(c, quote_ident(c.name))} as {quote_ident(c.name)}"
        for c in source.columns
    )
    stored = ", ".join(quote_ident(c.stored_name) for c in source.columns)
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    lineage = (
        f"_source_file, _source_row, timestamp '{loaded_at}' as _loaded_at, "
        f"{quote_literal(run_id)} as _run_id"
    )
    raw_cols = stored + ", " + ", ".join(n for n, _ in LINEAGE_COLUMNS)
    con.execute(f"drop table if exists raw.{source.name}")
    con.execute(raw_table_ddl(source))
    con.execute(f"""insert into raw.{source.name} ({raw_cols})
        select {typed}, {lineage} from _ranked where _copy_no = 1 and _version_no = 1
        order by _source_file, _source_row""")
    con.execute(
        f"create or replace table quarantine.{source.name} as "
        f"select {stored}, _source_file, _source_row, "
        f"split_part(_reasons[1], ':', 1) as reason_code, "
        f"array_to_string(_reasons, '; ') as reason, {lineage} from ("
        f"  select * exclude (_ord) from _checked where len(_reasons) > 0"
        f"  union all by name"
        f"  select * exclude (_copy_no, _version_no, _first_seen, _reasons, _ord),"
        f"    ['KEY_CONFLICT:' || {quote_literal(', '.join(source.key))}] as _reasons"
        f"  from _ranked where _copy_no = 1 and _version_no > 1)"
        f" order by _source_file, _source_row"
    )
    # Unknown columns: their names and value tokens; the values go to the vault.
    con.execute(
        f"create or replace table quarantine.{source.name}_extra_columns as "
        f"select _source_file, _source_row, column_name, "
        f"{tokens.SQL_FUNCTION}(value) as value_token, {quote_literal(run_id)} as _run_id "
        f"from _landed_extra"
    )
    _collect_vault_values(con, source, result)

    result.rows_read = con.execute("select count(*) from _landed").fetchone()[0]
    result.rows_loaded = con.execute(f"select count(*) from raw.{source.name}").fetchone()[0]
    result.rows_quarantined = con.execute(
        f"select count(*) from quarantine.{source.name}"
    ).fetchone()[0]
    result.rows_duplicate = con.execute(
        "select count(*) from _ranked where _copy_no > 1"
    ).fetchone()[0]
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
    for t in ("_landed", "_landed_extra", "_checked", "_ranked"):
        con.execute(f"drop table if exists {t}")
    return result


def _collect_vault_values(
    con: duckdb.DuckDBPyConnection, source: Source, result: IngestResult
) -> None:
    """The clear values behind this load's tokens, for the vault."""
    selects = [
        f"select {quote_literal(c.name)} as column_name, {quote_ident(c.stored_name)} as token, "
        f"{quote_ident(c.name)} as value from _checked where {quote_ident(c.stored_name)} "
        "is not null"
        for c in source.columns
        if c.info_class == "A"
    ]
    selects.append(
        f"select 'extra:' || column_name as column_name, {tokens.SQL_FUNCTION}(value) as token, "
        "trim(value) as value "
        "from _landed_extra where nullif(trim(value), '') is not null"
    )
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


def run_ingest(paths: Paths, source: Source, as_of: dt.date, run_id: str) -> IngestResult:
    """Ingest one source atomically: on any error the previous raw tables stay.

    The vault receives the clear class A values before the warehouse commits, so
    every token in the warehouse has its value in the vault.
    """
    with connect(paths.warehouse) as con:
        tokens.register(con, KeyStore(paths.home).key("pii"))
        con.execute("begin transaction")
        try:
            result = ingest_source(con, paths.landing, source, as_of, run_id)
            if result.vault_values is not None and result.vault_values.num_rows:
                vault.store(paths, result.vault_values, result.vault_customers, run_id)
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")
    return result
