"""The landing files read and checked by Apache Spark (``tiering run --engine spark``).

On the Spark engine, Spark reads each new or changed landing file (its own CSV and
Parquet readers, every value as text), cleans the values, replaces class A values by
their token and evaluates the contract's checks of the row alone: the same SQL as
on DuckDB (:func:`orchestration.ingest.load.static_reason_exprs`), transpiled to
Spark SQL with sqlglot, so the reason codes have one definition. The rows go into
the ingest's store (``ingest.<source>``) as the DuckDB reader's would; what depends
on the run (as-of date, customers), the duplicates and the key conflicts are then
decided over the whole store, and raw, quarantine, the per-file accounting, the
manifest and the circuit breaker follow unchanged (:mod:`orchestration.ingest.load`).

File-level problems raise the DuckDB reader's :class:`LandingFileError`, with the
same messages. Spark's working files (its spill, the checked rows on their way into
the store, which hold tokens but never a clear class A value) live under
``$TIERING_HOME/spark/``, private to the job's user, and are removed after each file set.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import os
import shutil
import sys
import uuid
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import duckdb
import sqlglot

from contracts.landing import Source
from orchestration import PYSPARK_PANDAS_WARNING
from orchestration.ingest.files import (
    LandedFile,
    LandingFile,
    LandingFileError,
    contract_columns,
    landed_file,
    plain_named,
)
from orchestration.security import tokens
from orchestration.warehouse import quote_ident, quote_literal

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Spark settings of the ingest's session, as the dbt profile's ``spark`` target has them
SESSION_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    # every charset of the JVM for the CSV reader (GB18030, the usual encoding of
    # Chinese source systems, is not among Spark's default few)
    "spark.sql.legacy.javaCharsets": "true",
    # what Spark spills or shuffles to disk holds customer data (clear class A values
    # before their token): encrypted, as DuckDB's spill is
    "spark.io.encryption.enabled": "true",
}


def spark_sql(duckdb_sql: str) -> str:
    """DuckDB SQL (an expression or a query) as Spark SQL."""
    return sqlglot.transpile(duckdb_sql, read="duckdb", write="spark")[0]


def session(home: Path) -> SparkSession:
    """The job's Spark session (started once per process; later calls reuse it): the
    master and driver memory of the Spark target (``TIERING_SPARK_MASTER``,
    ``TIERING_SPARK_DRIVER_MEMORY``), Spark's log and spill under ``<home>/spark``."""
    import warnings

    from orchestration.transform import spark as target

    env = target.dbt_spark_env(home)
    folder = Path(env[target.HOME_VARIABLE])
    local = folder / "tmp"
    local.mkdir(mode=0o700, parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", PYSPARK_PANDAS_WARNING, FutureWarning)
        from pyspark.sql import SparkSession

    # the token function runs in Python workers: this install's interpreter (PySpark
    # reads the variable when it starts the session)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("tiering-ingest")
    settings = {
        **SESSION_SETTINGS,
        "spark.master": os.environ.get(target.MASTER_VARIABLE, "").strip() or "local[2]",
        "spark.driver.memory": env[target.DRIVER_MEMORY_VARIABLE],
        "spark.local.dir": str(local),
        "spark.driver.extraJavaOptions": (
            f"-Dlog4j2.configurationFile=file:{folder / 'log4j2.properties'}"
        ),
    }
    for name, value in settings.items():
        builder = builder.config(name, value)
    return builder.getOrCreate()


def stop_session() -> None:
    """End the ingest's Spark session and its JVM, if this process started one: the
    dbt build on Spark starts its own, and the ingest's JVM would otherwise keep its
    heap through the build (3.9 GiB at 10M transactions, tests/benchmarks/RESULTS.md).
    A later ingest in the same process starts a new JVM."""
    if "pyspark" not in sys.modules:
        return
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
    gateway = SparkContext._gateway
    if gateway is None:
        return
    gateway.shutdown()
    process = getattr(gateway, "proc", None)
    if process is not None:
        # PySpark's gateway JVM exits when its stdin closes
        process.stdin.close()
        process.wait(timeout=120)
    SparkContext._gateway = None
    SparkContext._jvm = None


def _csv_header(file: LandingFile, encoding: str) -> list[str]:
    """The column names of a CSV file's header, named as Spark names them (an empty
    name is ``_c<index>``; names equal in any case get their index appended)."""
    with file.open() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        row = next(csv.reader(text), [])
    if row and row[0].startswith("\ufeff"):  # a byte-order mark is not part of the name
        row[0] = row[0][1:]
    named = [name.lower() for name in row if name]
    duplicates = {name for name in named if named.count(name) > 1}
    return [
        f"_c{index}" if not name else f"{name}{index}" if name.lower() in duplicates else name
        for index, name in enumerate(row)
    ]


def _read_file(spark: SparkSession, file: LandingFile, encoding: str) -> DataFrame:
    """Every column of one landing file as text, in the file's row order."""
    from pyspark.sql.types import StringType, StructField, StructType

    if file.suffix == ".parquet":
        frame = spark.read.parquet(file.spark_path)
        return frame.select([frame[c].cast("string").alias(c) for c in frame.columns])
    # The header is read here, not inferred by Spark: Spark's inference of a
    # multi-line CSV file expands the file's name as a pattern a second time, so
    # "customers [1].csv" would take the header of "customers 1.csv", and
    # "customers {a,b}.csv" would not be found.
    schema = StructType([StructField(n, StringType()) for n in _csv_header(file, encoding)])
    return spark.read.csv(
        file.spark_path,
        schema=schema,
        header=True,  # the first record is the header: skipped
        enforceSchema=True,
        # quoted values may hold separators and line breaks; a doubled quote is a quote
        multiLine=True,
        quote='"',
        escape='"',
        encoding=encoding,
        # rows end at a line feed: a CRLF inside a quoted value stays as written (with
        # its own line-ending detection Spark would turn it into a bare LF); the CR
        # that ends a CRLF row is taken off the last column (read_source_files)
        lineSep="\n",
        mode="PERMISSIVE",
        ignoreLeadingWhiteSpace=False,
        ignoreTrailingWhiteSpace=False,
    )


def spark_message(exc: Exception) -> str:
    """The first telling line of a Spark error (not Py4J's "An error occurred while
    calling o42.csv.")."""
    lines = [line.strip().lstrip(": ") for line in str(exc).splitlines()]
    told = [line for line in lines if line and not line.startswith("An error occurred")]
    return (told[0] if told else type(exc).__name__)[:300]


def _hadoop_readable(file: LandingFile, work: Path, number: int) -> LandingFile:
    """``file``, or a link to it with a plain name when Hadoop cannot open its own:
    a ':' in a file's name reads as a URI scheme to Hadoop's local file system. (A
    lake file with such a name is refused when it is listed, lake.lake_files.)"""
    if not file.is_local or ":" not in PurePosixPath(file.relative).name:
        return file
    link = plain_named(Path(file.location), work, number)
    return dataclasses.replace(file, location=str(link))


def _file_rows(spark: SparkSession, file: LandingFile, item: LandedFile) -> DataFrame:
    """The rows of one landing file, every column as text, numbered in the file's
    order (``_source_row`` from 1, as the DuckDB reader numbers them) and named by
    ``_source_file``; kept in Spark's memory. Sets ``item.rows``."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    try:
        frame = _read_file(spark, file, item.encoding)
        if file.suffix == ".csv" and frame.columns:
            # a CRLF file: the CR that ends each row is not data (the header's is
            # taken off by the header's reader, _csv_header)
            last = frame.columns[-1]
            frame = frame.withColumn(last, F.regexp_replace(F.col(f"`{last}`"), "\r\\z", ""))
        frame = (
            frame.withColumn(
                "_source_row",
                F.row_number().over(Window.orderBy(F.monotonically_increasing_id())),
            )
            .withColumn("_source_file", F.lit(item.relative))
            .persist()
        )
        item.rows = frame.count()
    except Exception as exc:  # Spark's analysis and read errors
        raise LandingFileError(f"{item.relative}: unreadable: {spark_message(exc)}") from exc
    return frame


def read_source_files(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    files: list[LandingFile],
    store: str,
    static_reasons: list[str],
    extra_table: str,
    vault_table: str,
    *,
    home: Path,
    pii_key: bytes,
) -> list[LandedFile]:
    """Read ``files`` with Spark into the store table ``store`` (its columns: the
    contract's stored columns, ``_source_file``, ``_source_row``, ``_static``,
    ``_content``); the clear class A values with their tokens go to the temp table
    ``vault_table`` and the unknown columns' values to ``extra_table``, as the DuckDB
    reader leaves them. ``static_reasons``: the DuckDB SQL of the row checks."""
    from pyspark.sql import functions as F

    con.execute(
        f"create or replace temp table {extra_table} (_source_file varchar, "
        "_source_row bigint, column_name varchar, value varchar)"
    )
    if not files:
        return []
    spark = session(home)
    # the key stays in the function's closure, never in a query or a setting
    token = F.udf(lambda v: tokens.token(pii_key, v), "string")
    cols = source.column_names
    class_a = [c for c in source.columns if c.info_class == "A"]
    exprs = [spark_sql(e) for e in static_reasons]
    reasons = (
        "filter(array(" + ", ".join(exprs) + "), r -> r is not null)"
        if exprs
        else "cast(array() as array<string>)"
    )
    landed: list[LandedFile] = []
    checked, extras, persisted = [], [], []
    work = home / "spark" / "ingest" / f"{source.name}-{uuid.uuid4().hex}"
    work.mkdir(mode=0o700, parents=True)
    try:
        for number, file in enumerate(files):
            item = landed_file(file, source)
            landed.append(item)
            frame = _file_rows(spark, _hadoop_readable(file, work, number), item)
            persisted.append(frame)
            by_lower = contract_columns(item, source, frame.columns[:-2])
            for extra in item.extra_columns:
                extras.append(
                    frame.select(
                        "_source_file",
                        "_source_row",
                        F.lit(extra).alias("column_name"),
                        F.col(f"`{extra}`").cast("string").alias("value"),
                    )
                )
            checked.append(
                frame.select(
                    *[
                        F.expr(f"nullif(trim(`{by_lower[c]}`), '')").alias(c)
                        if c in by_lower
                        else F.lit(None).cast("string").alias(c)
                        for c in cols
                    ],
                    "_source_file",
                    "_source_row",
                )
            )
        rows = functools.reduce(lambda a, b: a.unionByName(b), checked)
        for c in class_a:
            rows = rows.withColumn(c.stored_name, token(F.col(c.name)))
        # exact duplicates are found by key and content: a hash of every value, a null
        # told apart from any text (Spark's hash skips nulls, so (null, 'x') would equal
        # ('x', null))
        content = "xxhash64(" + ", ".join(f"coalesce('v' || `{c}`, 'n')" for c in cols) + ")"
        rows = rows.withColumn("_static", F.expr(reasons)).withColumn("_content", F.expr(content))
        rows = rows.persist()
        persisted.append(rows)
        stored = [c.stored_name for c in source.columns]
        rows.select(*stored, "_source_file", "_source_row", "_static", "_content").write.parquet(
            # Hadoop's path form: a writer reads no pattern in it
            f"file:{(work / 'rows').resolve()}"
        )
        con.execute(
            f"insert into {store} select {', '.join(quote_ident(s) for s in stored)}, "
            "_source_file, _source_row, _static, "
            # Spark's signed 64-bit hash as the store's unsigned one
            "cast(cast(_content as hugeint) + 9223372036854775808 as ubigint) "
            f"from read_parquet({quote_literal(str(work / 'rows' / '*.parquet'))})"
        )
        if class_a:
            # the clear values with their tokens, for the vault (never written here)
            vault = functools.reduce(
                lambda a, b: a.unionByName(b),
                (
                    rows.select(
                        F.lit(c.name).alias("column_name"),
                        F.col(c.stored_name).alias("token"),
                        F.col(c.name).alias("value"),
                    ).where(F.col(c.stored_name).isNotNull())
                    for c in class_a
                ),
            )
            con.register("_spark_rows", vault.toArrow())
            con.execute(f"insert into {vault_table} select * from _spark_rows")
            con.unregister("_spark_rows")
        for frame in extras:
            con.register("_spark_rows", frame.toArrow())
            con.execute(f"insert into {extra_table} select * from _spark_rows")
            con.unregister("_spark_rows")
    finally:
        for frame in persisted:
            frame.unpersist()
        shutil.rmtree(work, ignore_errors=True)
    return landed
