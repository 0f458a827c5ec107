"""Mart-stage contracts: pandera (ibis backend) schemas of the tier tables.

dbt's enforced contracts fix the column names and types at build time; these
schemas check the content in DuckDB after the build, before publication: one row
per customer, a single as-of date, tier codes known to the rule seeds, ranks from 1,
labels in both languages, figures in range, and no class A column. The allowed
codes are read from the dbt seeds, so a business user who adds a band changes one
CSV and nothing here.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import ibis.expr.datatypes as dt
import pandera.ibis as pa

SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"
CLASS_A_COLUMNS = ("full_name", "national_id", "phone")


@cache
def seed_rows(name: str) -> tuple[dict[str, str], ...]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def codes(seed: str, column: str = "tier_code", unrated_scheme: str | None = None) -> list[str]:
    """Codes of a band seed plus the UNRATED code of ``unrated_scheme``, if any."""
    values = [r[column] for r in seed_rows(seed)]
    if unrated_scheme:
        values += [r["tier_code"] for r in seed_rows("tier_status_labels")
                   if r["scheme"] == unrated_scheme]
    return values


def _text(*checks: pa.Check, nullable: bool = False) -> pa.Column:
    return pa.Column(dt.String, list(checks), nullable=nullable)


def _amount(*checks: pa.Check, nullable: bool = True) -> pa.Column:
    return pa.Column(dt.Decimal(18, 2), list(checks), nullable=nullable)


def tier_table(name: str, tier_codes: list[str], extra: dict[str, pa.Column]) -> pa.DataFrameSchema:
    columns = {
        "customer_id": pa.Column(dt.String, nullable=False, unique=True),
        "as_of_date": pa.Column(dt.Date, nullable=False),
        "tier_code": _text(pa.Check.isin(tier_codes)),
        "tier_rank": pa.Column(dt.Int32, pa.Check.ge(1), nullable=False),
        "tier_label_zh": _text(pa.Check.str_length(min_value=1)),
        "tier_label_en": _text(pa.Check.str_length(min_value=1)),
        "rule_version": _text(pa.Check.str_length(min_value=1)),
        **extra,
    }
    assert not set(columns) & set(CLASS_A_COLUMNS), "class A columns never reach the marts"
    return pa.DataFrameSchema(columns, name=f"marts.{name}", strict=False)


def _build() -> dict[str, pa.DataFrameSchema]:
    star_codes = codes("star_level_bands", unrated_scheme="star_level")
    card_codes = codes("card_tier_bands", unrated_scheme="card_tier")
    grade_codes = codes("credit_grade_bands", unrated_scheme="credit_grade")
    return {
        "customer_contribution_tier": tier_table(
            "customer_contribution_tier", codes("contribution_tier_bands"), {
                "premium_income": _amount(pa.Check.ge(0), nullable=False),
                "service_income": _amount(pa.Check.ge(0), nullable=False),
                "claims_paid": _amount(pa.Check.ge(0), nullable=False),
                "contribution_12m": _amount(nullable=False),
            }),
        "customer_loyalty_tier": tier_table(
            "customer_loyalty_tier", codes("loyalty_tier_bands"), {
                "loyalty_score": pa.Column(dt.Decimal(5, 2), [pa.Check.in_range(0, 100)]),
                "r_score": pa.Column(dt.Int32, pa.Check.in_range(1, 5), nullable=True),
                "f_score": pa.Column(dt.Int32, pa.Check.in_range(1, 5), nullable=True),
                "m_score": pa.Column(dt.Int32, pa.Check.in_range(1, 5), nullable=True),
                "rfm_segment_code": _text(pa.Check.isin(codes("rfm_segments", "segment_code"))),
            }),
        "customer_credit_rating": tier_table(
            "customer_credit_rating", grade_codes, {
                "credit_score": pa.Column(dt.Int32, pa.Check.in_range(300, 850), nullable=True),
                "credit_status_code": _text(pa.Check.isin(
                    codes("credit_status_bands", unrated_scheme="credit_status"))),
                "repayment_capacity_code": _text(pa.Check.isin(
                    codes("repayment_capacity_bands", unrated_scheme="repayment_capacity"))),
                "collateral_code": _text(pa.Check.isin(
                    codes("collateral_bands", unrated_scheme="collateral"))),
                "recommended_credit_limit": _amount(pa.Check.ge(0)),
            }),
        "customer_star_tier": tier_table(
            "customer_star_tier", star_codes, {
                "star_points": _amount(pa.Check.ge(0)),
                "star_level_code": _text(pa.Check.isin(star_codes)),
                "monthly_avg_daily_assets": _amount(pa.Check.ge(0)),
                "card_tier_code": _text(pa.Check.isin(card_codes)),
            }),
    }


MART_SCHEMAS: dict[str, pa.DataFrameSchema] = _build()
