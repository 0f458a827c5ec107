"""The benchmark's hand-written floor bands exactly, like the product: a ratio on a
band's inclusive edge is on it. DuckDB divides decimals into a DOUBLE, so the floor's
first version put a debt-to-income ratio of exactly 0.36 (2000.31 a month against
66,677 a year) above the edge and rated the customer B instead of A; the 100M
benchmark found it as the one customer of a million where the floor and the product
disagreed."""

import csv
import datetime as dt
from pathlib import Path

import duckdb

from orchestration.demo import generate
from tests.benchmarks.handwritten_tiers import compute

AS_OF = dt.date(2026, 10, 31)


def _append(path: Path, values: dict[str, str]) -> None:
    with path.open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow([values.get(c, "") for c in header])


def test_a_ratio_on_an_inclusive_band_edge_is_on_the_edge(tmp_path):
    landing = tmp_path / "landing"
    generate(landing, customers=20, months=2, seed=5, as_of=AS_OF)
    _append(
        landing / "customers.csv",
        {"customer_id": "EDGE", "customer_type": "individual", "onboarded_date": "2020-01-01"},
    )
    # score 780: EXCELLENT, 100 points; debt-to-income 2000.31 * 12 / 66677 = 0.36 exactly:
    # HIGH (up to 0.36 inclusive), 100 points; loan-to-value 0.70: FAIR, 60 points;
    # 0.50 * 100 + 0.35 * 100 + 0.15 * 60 = 94: grade A (85 and up). On the wrong side
    # of the edge (MID, 60 points) it would be 80: B.
    _append(
        landing / "credit_reports.csv",
        {
            "customer_id": "EDGE",
            "report_date": "2026-03-26",
            "credit_score": "780",
            "annual_income": "66677.00",
            "total_debt": "812637.33",
            "monthly_debt_payment": "2000.31",
            "overdue_count": "0",
            "max_days_past_due": "0",
            "collateral_type": "房产",
            "collateral_value": "1155206.91",
            "loan_amount": "810229.33",
        },
    )
    assert 2000.31 * 12 / 66677 > 0.36  # in floating point the ratio is off the edge
    out = tmp_path / "floor.duckdb"
    compute(landing, AS_OF, out)
    with duckdb.connect(str(out), read_only=True) as con:
        grade = con.execute(
            "select credit_grade from core_tiers where customer_id = 'EDGE'"
        ).fetchall()
    assert grade == [("A",)]
