"""The entry point: draw every landing source from one seed and write the contract files.

Each source is drawn from its own child stream of the seed, then DuckDB formats the
columns (money from int64 cents, dates, timestamps) exactly as the landing contract
spells them, as CSV (the default) or Parquet (typed columns: money DECIMAL(18,2),
dates, timestamps). The transactions are drawn and written block of customers by
block (``transactions.transaction_blocks``), appended to one file per month, so a
bank-sized run (100M transactions) never holds them all in memory.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from contracts.landing import MONEY, SOURCES, Source
from orchestration.demo.balances import draw_balances
from orchestration.demo.credit_reports import draw_credit_reports
from orchestration.demo.interactions import draw_interactions
from orchestration.demo.leads import draw_leads
from orchestration.demo.overrides import draw_overrides
from orchestration.demo.population import Window, draw_customers
from orchestration.demo.transactions import BLOCK_CUSTOMERS, transaction_blocks

#: fixed default so the demo data is the same on every machine and every day.
DEFAULT_AS_OF = date(2026, 10, 31)
FORMATS = ("csv", "parquet")
#: the seed's streams: one per source (customers, balances, transactions, credit
#: reports, interactions, leads, overrides), then the extra days of transactions.
STREAMS = 8
EXTRA_DAY_STREAM = 7


def generate(
    out_dir: Path,
    customers: int = 10_000,
    months: int = 12,
    seed: int = 42,
    as_of: date | None = None,
    progress: Callable[[str], None] | None = None,
    fmt: str = "csv",
    block_customers: int = BLOCK_CUSTOMERS,
) -> dict[str, int]:
    """Write synthetic landing files for ``customers`` over ``months`` ending at ``as_of``.

    Returns the number of rows written per source. Same arguments, same bytes.
    """
    if customers < 1 or months < 1:
        raise ValueError("customers and months must be >= 1")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    say = progress or (lambda _msg: None)
    win = Window.ending(as_of or DEFAULT_AS_OF, months)
    out = Path(out_dir)
    (out / "transactions").mkdir(parents=True, exist_ok=True)
    # a previous run over other months or in the other format must not leave files behind
    for stale in [*(out / "transactions").glob("transactions_*.*"),
                  *(out / f"{name}.{ext}" for name in SOURCES for ext in FORMATS)]:  # fmt: skip
        stale.unlink(missing_ok=True)

    # one child stream per source; spawning more children leaves the first ones as they
    # were, so adding a source does not change the files of the others
    seqs = np.random.SeedSequence(seed).spawn(STREAMS)
    streams = [np.random.default_rng(s) for s in seqs]
    rows: dict[str, int] = {}
    con = duckdb.connect(":memory:")
    try:

        def write(name: str, table: pa.Table) -> None:
            rows[name] = _write(con, SOURCES[name], table, out / f"{name}.{fmt}")
            say(f"{name}: {rows[name]:,} rows")

        table, pop = draw_customers(streams[0], customers, win)
        write("customers", table)
        table, insured = draw_balances(streams[1], pop, win)
        write("balances", table)
        del table

        paths = [out / "transactions" / f"transactions_{label}.{fmt}" for label in win.labels]
        rows["transactions"] = 0
        with _Appender(con, SOURCES["transactions"], paths) as files:
            for tables in transaction_blocks(seqs[2], pop, insured, win, block_customers):
                rows["transactions"] += files.append(tables)
                if customers > block_customers:
                    say(f"transactions: {rows['transactions']:,} rows so far")
        say(f"transactions: {rows['transactions']:,} rows in {len(paths)} files")

        write("credit_reports", draw_credit_reports(streams[3], pop, win))
        write("interactions", draw_interactions(streams[4], pop, win))
        write("leads", draw_leads(streams[5], pop, win))
        write("overrides", draw_overrides(streams[6], pop, win))
    finally:
        con.close()
    return rows


def generate_extra_day(
    out_dir: Path,
    customers: int = 10_000,
    months: int = 12,
    seed: int = 42,
    as_of: date | None = None,
    fmt: str = "csv",
    block_customers: int = BLOCK_CUSTOMERS,
) -> tuple[Path, int]:
    """Write the transactions of the day after ``as_of`` of the landing ``generate``
    wrote with the same arguments: the next nightly delivery, one file
    ``transactions/transactions_<day>.<fmt>``. Same customers, same activity and
    amounts model (a one-day window), its own stream of the seed; ids ``D<yyyymmdd>…``
    cannot collide with the ``T…`` ids of the months. Returns the file and its rows.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    as_of = as_of or DEFAULT_AS_OF
    day = as_of + timedelta(days=1)
    win = Window.ending(as_of, months)
    seqs = np.random.SeedSequence(seed).spawn(STREAMS)
    _, pop = draw_customers(np.random.default_rng(seqs[0]), customers, win)
    _, insured = draw_balances(np.random.default_rng(seqs[1]), pop, win)
    path = Path(out_dir) / "transactions" / f"transactions_{day.isoformat()}.{fmt}"
    rows = 0
    con = duckdb.connect(":memory:")
    try:
        with _Appender(con, SOURCES["transactions"], [path]) as files:
            for (table,) in transaction_blocks(
                seqs[EXTRA_DAY_STREAM], pop, insured, Window.one_day(day), block_customers
            ):
                ids = pc.replace_substring(
                    table["transaction_id"], "T", f"D{day:%Y%m%d}", max_replacements=1
                )
                rows += files.append([table.set_column(0, "transaction_id", ids)])
    finally:
        con.close()
    return path, rows


# --------------------------------------------------------------------------- writer
def _sql_expr(source: Source, name: str, fmt: str = "csv") -> str:
    """The contract's spelling of column ``name`` (CSV) or its contract type (Parquet)."""
    col = source.column(name)
    q = f'"{name}"'
    if col.sql_type == MONEY:  # int64 cents -> exact "1234.50"
        text = f"(({q} // 100)::varchar || '.' || lpad(({q} % 100)::varchar, 2, '0'))"
        return f"{text} as {q}" if fmt == "csv" else f"cast({text} as {MONEY}) as {q}"
    if fmt == "parquet":
        return f"cast({q} as {col.sql_type}) as {q}" if col.sql_type in ("DATE", "TIMESTAMP") else q
    if col.sql_type == "DATE":
        return f"strftime({q}, '%Y-%m-%d') as {q}"
    if col.sql_type == "TIMESTAMP":
        return f"strftime({q}, '%Y-%m-%d %H:%M:%S') as {q}"
    return q


def _select(source: Source, fmt: str) -> str:
    return "select " + ", ".join(_sql_expr(source, c, fmt) for c in source.column_names)


def _check_columns(source: Source, table: pa.Table) -> None:
    if tuple(table.column_names) != source.column_names:
        raise ValueError(f"{source.name}: columns {table.column_names} != contract")


def _write(con: duckdb.DuckDBPyConnection, source: Source, table: pa.Table, path: Path) -> int:
    """Write ``table`` (contract columns; money as int64 cents) as a contract file, CSV
    or Parquet after the suffix of ``path``."""
    _check_columns(source, table)
    fmt = path.suffix.lstrip(".")
    options = "header, delimiter ','" if fmt == "csv" else "format parquet"
    target = str(path).replace("'", "''")
    con.register("_landing", table)
    try:
        con.execute(f"copy ({_select(source, fmt)} from _landing) to '{target}' ({options})")
    finally:
        con.unregister("_landing")
    return table.num_rows


class _Appender:
    """One file per path, written block after block: the first block creates it, later
    blocks append (CSV: rows without a header; Parquet: another row group)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, source: Source, paths: list[Path]):
        self.con, self.source, self.paths = con, source, paths
        self.parquet: dict[Path, pq.ParquetWriter] = {}
        # the CSV of a block is written here first: never a stray file in the landing
        self.scratch = tempfile.TemporaryDirectory(prefix="tiering-generate-")

    def __enter__(self) -> _Appender:
        return self

    def __exit__(self, *exc) -> None:
        for writer in self.parquet.values():
            writer.close()
        self.scratch.cleanup()

    def append(self, tables: list[pa.Table]) -> int:
        """Append ``tables[i]`` to ``paths[i]``; returns the rows written."""
        for table, path in zip(tables, self.paths, strict=True):
            if path.suffix == ".parquet":
                self._append_parquet(table, path)
            elif path.exists():
                part = Path(self.scratch.name) / "block.csv"
                _write(self.con, self.source, table, part)
                with part.open("rb") as src, path.open("ab") as dst:
                    src.readline()  # the part's header
                    shutil.copyfileobj(src, dst, 1 << 20)
                part.unlink()
            else:
                _write(self.con, self.source, table, path)
        return sum(t.num_rows for t in tables)

    def _append_parquet(self, table: pa.Table, path: Path) -> None:
        _check_columns(self.source, table)
        self.con.register("_landing", table)
        try:
            typed = self.con.execute(
                f"{_select(self.source, 'parquet')} from _landing"
            ).to_arrow_table()
        finally:
            self.con.unregister("_landing")
        if path not in self.parquet:
            self.parquet[path] = pq.ParquetWriter(path, typed.schema, compression="zstd")
        self.parquet[path].write_table(typed)
