"""Run the hand-written SQL of the four core tiers on a landing folder.

    python tests/benchmarks/handwritten_tiers.py --landing DIR --as-of DATE --out FILE.duckdb
                                                 [--threads N] [--memory-limit 4GB]

This is the benchmark's floor: plain DuckDB, no orchestration, no checks, no
security. The script defines one view per landing source over its files (every
``<source>*.csv|parquet`` in the folder or under ``<source>/``; CSV read as text and
cast in the SQL, Parquet as typed) and one per rule seed, then runs
``handwritten_tiers.sql``, which writes table ``core_tiers`` to ``FILE``. Only the
standard library and duckdb: it needs nothing of the project but its seed CSVs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
SQL = HERE / "handwritten_tiers.sql"
SEEDS = HERE.parents[1] / "dbt_project" / "seeds"
SOURCES = ("customers", "transactions", "balances", "credit_reports", "interactions")


def landing_files(landing: Path, source: str) -> list[Path]:
    found = [*landing.glob(f"{source}*.*"), *(landing / source).glob("*.*")]
    return sorted(p for p in found if p.suffix in (".csv", ".parquet"))


def reader(files: list[Path]) -> str:
    names = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in files) + "]"
    if all(p.suffix == ".parquet" for p in files):
        return f"read_parquet({names}, union_by_name = true)"
    return f"read_csv({names}, header = true, all_varchar = true, union_by_name = true)"


def compute(
    landing: Path, as_of: dt.date, out: Path, threads: int | None = None, memory_limit: str = ""
) -> int:
    """Write ``core_tiers`` for ``as_of`` to ``out`` (replaced); returns its rows."""
    out.unlink(missing_ok=True)
    con = duckdb.connect(str(out))
    try:
        if threads:
            con.execute(f"set threads = {int(threads)}")
        if memory_limit:
            con.execute(f"set memory_limit = '{memory_limit}'")
        for source in SOURCES:
            files = landing_files(landing, source)
            if not files:
                raise SystemExit(f"{landing}: no {source} file")
            con.execute(f"create temp view src_{source} as select * from {reader(files)}")
        for seed in SEEDS.glob("*.csv"):
            con.execute(f"create temp view seed_{seed.stem} as select * from read_csv('{seed}')")
        con.execute("set variable as_of = ?", [as_of])
        con.execute(SQL.read_text(encoding="utf-8"))
        return con.execute("select count(*) from core_tiers").fetchone()[0]
    finally:
        con.close()


#: the hand-written column and the product's tier table whose computed code it must equal
#: (computed_tier_code: the rule's result, before a manual override pins a tier).
PRODUCT_TABLES = {
    "contribution_tier": "customer_contribution_tier",
    "loyalty_tier": "customer_loyalty_tier",
    "credit_grade": "customer_credit_rating",
    "star_level": "customer_star_tier",
}


def disagreements(
    product: duckdb.DuckDBPyConnection, handwritten: Path, examples: int = 5
) -> dict[str, tuple[int, list[tuple]]]:
    """Per core tier, the customers whose hand-written code differs from the product's
    computed code (or who are in one table only): their number and a few
    (customer_id, hand-written, product) examples. ``product`` is a connection whose
    default catalog holds the product's tier tables (a published artefact)."""
    product.execute(f"attach '{handwritten}' as handwritten (read_only)")
    try:
        out = {}
        for column, table in PRODUCT_TABLES.items():
            rows = product.execute(
                f"select coalesce(h.customer_id, p.customer_id) as customer_id, "
                f"h.{column}, p.computed_tier_code "
                f"from handwritten.core_tiers as h full join {table} as p "
                "on h.customer_id = p.customer_id "
                f"where h.{column} is distinct from p.computed_tier_code order by 1"
            ).fetchall()
            out[column] = (len(rows), rows[:examples])
        return out
    finally:
        product.execute("detach handwritten")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--memory-limit", default="")
    args = parser.parse_args(argv)
    rows = compute(args.landing, args.as_of, args.out, args.threads, args.memory_limit)
    print(f"core_tiers: {rows:,} customers -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
