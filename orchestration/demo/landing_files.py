"""The entry point: draw every landing source from one seed and write the contract CSVs.

Each source is drawn from its own child stream of the seed, then DuckDB formats the
columns (money from int64 cents, dates, timestamps) exactly as the landing contract
spells them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from contracts.landing import MONEY, SOURCES, Source
from orchestration.demo.balances import draw_balances
from orchestration.demo.credit_reports import draw_credit_reports
from orchestration.demo.interactions import draw_interactions
from orchestration.demo.leads import draw_leads
from orchestration.demo.overrides import draw_overrides
from orchestration.demo.population import Window, draw_customers
from orchestration.demo.transactions import draw_transactions

#: fixed default so the demo data is the same on every machine and every day.
DEFAULT_AS_OF = date(2026, 10, 31)


def generate(
    out_dir: Path,
    customers: int = 10_000,
    months: int = 12,
    seed: int = 42,
    as_of: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write synthetic landing files for ``customers`` over ``months`` ending at ``as_of``.

    Returns the number of rows written per source. Same arguments, same bytes.
    """
    if customers < 1 or months < 1:
        raise ValueError("customers and months must be >= 1")
    say = progress or (lambda _msg: None)
    win = Window.ending(as_of or DEFAULT_AS_OF, months)
    out = Path(out_dir)
    (out / "transactions").mkdir(parents=True, exist_ok=True)
    for stale in (out / "transactions").glob("transactions_*.csv"):
        stale.unlink()  # a previous run over other months must not leave files behind

    # one child stream per source; spawning more children leaves the first ones as they
    # were, so adding a source does not change the files of the others
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)]
    rows: dict[str, int] = {}
    con = duckdb.connect(":memory:")
    try:
        table, pop = draw_customers(streams[0], customers, win)
        rows["customers"] = _write(con, SOURCES["customers"], table, out / "customers.csv")
        say(f"customers: {rows['customers']:,} rows")

        table, insured = draw_balances(streams[1], pop, win)
        rows["balances"] = _write(con, SOURCES["balances"], table, out / "balances.csv")
        say(f"balances: {rows['balances']:,} rows")

        tables, rows["transactions"] = draw_transactions(streams[2], pop, insured, win)
        for label, tx in zip(win.labels, tables, strict=True):
            path = out / "transactions" / f"transactions_{label}.csv"
            _write(con, SOURCES["transactions"], tx, path)
        say(f"transactions: {rows['transactions']:,} rows in {len(tables)} files")

        table = draw_credit_reports(streams[3], pop, win)
        path = out / "credit_reports.csv"
        rows["credit_reports"] = _write(con, SOURCES["credit_reports"], table, path)
        say(f"credit_reports: {rows['credit_reports']:,} rows")

        table = draw_interactions(streams[4], pop, win)
        rows["interactions"] = _write(con, SOURCES["interactions"], table, out / "interactions.csv")
        say(f"interactions: {rows['interactions']:,} rows")

        table = draw_leads(streams[5], pop, win)
        rows["leads"] = _write(con, SOURCES["leads"], table, out / "leads.csv")
        say(f"leads: {rows['leads']:,} rows")

        table = draw_overrides(streams[6], pop, win)
        rows["overrides"] = _write(con, SOURCES["overrides"], table, out / "overrides.csv")
        say(f"overrides: {rows['overrides']:,} rows")
    finally:
        con.close()
    return rows


# --------------------------------------------------------------------------- writer
def _sql_expr(source: Source, name: str) -> str:
    col = source.column(name)
    q = f'"{name}"'
    if col.sql_type == MONEY:  # int64 cents -> exact "1234.50"
        return f"(({q} // 100)::varchar || '.' || lpad(({q} % 100)::varchar, 2, '0')) as {q}"
    if col.sql_type == "DATE":
        return f"strftime({q}, '%Y-%m-%d') as {q}"
    if col.sql_type == "TIMESTAMP":
        return f"strftime({q}, '%Y-%m-%d %H:%M:%S') as {q}"
    return q


def _write(con: duckdb.DuckDBPyConnection, source: Source, table: pa.Table, path: Path) -> int:
    """Write ``table`` (contract columns; money as int64 cents) as a contract CSV."""
    if tuple(table.column_names) != source.column_names:
        raise ValueError(f"{source.name}: columns {table.column_names} != contract")
    cols = ", ".join(_sql_expr(source, c) for c in source.column_names)
    target = str(path).replace("'", "''")
    con.register("_landing", table)
    try:
        con.execute(f"copy (select {cols} from _landing) to '{target}' (header, delimiter ',')")
    finally:
        con.unregister("_landing")
    return table.num_rows
