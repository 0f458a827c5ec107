"""Mart-stage contracts: pandera (ibis backend) schemas of the tier tables.

dbt's enforced contracts fix the column names and types at build time; these
schemas check the content in DuckDB after the build, before publication: one row
per customer, a single as-of date, tier codes known to the rule seeds, ranks from 1,
labels and reasons in both languages, figures in range, and no class A column;
the history tables (customer_tier_history, tier_migration) and the wide
customer_tiers have schemas of their own. The allowed
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
        values += [
            r["tier_code"] for r in seed_rows("tier_status_labels") if r["scheme"] == unrated_scheme
        ]
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
        "reason_zh": _text(pa.Check.str_length(min_value=1)),
        "reason_en": _text(pa.Check.str_length(min_value=1)),
        **extra,
    }
    assert not set(columns) & set(CLASS_A_COLUMNS), "class A columns never reach the marts"
    return pa.DataFrameSchema(columns, name=f"marts.{name}", strict=False)


def _score(nullable: bool = True) -> pa.Column:
    """A 0-100 score."""
    return pa.Column(dt.Decimal(5, 2), pa.Check.in_range(0, 100), nullable=nullable)


def _int(*checks: pa.Check, nullable: bool = True) -> pa.Column:
    return pa.Column(dt.Int32, list(checks), nullable=nullable)


HYSTERESIS_STATUSES = ["NEW", "STABLE", "UPGRADED", "WATCH", "DOWNGRADED", "UNRATED"]
#: every scheme of the monthly rating history (history.tier_ratings_current plus the
#: effective fast-up / slow-down schemes of seed tier_hysteresis_rules).
HISTORY_SCHEMES = [
    "contribution",
    "loyalty",
    "credit_grade",
    "star_level",
    "card_tier",
    "risk",
    "education",
    "region",
    "city_tier",
    "value",
    "purchase_frequency",
    "business_scope",
    "scorecard",
    "lead_intent",
    "lead_quality",
    "pipeline_stage",
    *[r["effective_scheme"] for r in seed_rows("tier_hysteresis_rules")],
]


def _issue3_schemas() -> dict[str, pa.DataFrameSchema]:
    """Schemas of the tier tables of issue 3 (risk ... pipeline, history, migration)."""
    star_codes = codes("star_level_bands", unrated_scheme="star_level_effective")
    card_codes = codes("card_tier_bands", unrated_scheme="card_tier_effective")
    stage_codes = codes("pipeline_stage_bands", unrated_scheme="pipeline_stage") + [
        r["stage_override_code"]
        for r in seed_rows("lead_need_statuses")
        if r["stage_override_code"]
    ]
    wide_codes = {  # customer_tiers column -> allowed codes
        "risk_tier_code": codes("risk_tier_bands", unrated_scheme="risk"),
        "education_tier_code": codes("education_tier_bands", unrated_scheme="education"),
        "region_group_code": codes("region_groups", unrated_scheme="region"),
        "value_tier_code": codes("value_tier_bands"),
        "scorecard_grade_code": codes("scorecard_grade_bands", unrated_scheme="scorecard"),
        "lead_intent_code": codes("lead_intent_levels", unrated_scheme="lead_intent"),
        "lead_quality_code": codes("lead_quality_grades", unrated_scheme="lead_quality"),
        "pipeline_stage_code": sorted(set(stage_codes)),
        "effective_star_level_code": star_codes,
        "effective_card_tier_code": card_codes,
        "star_level_status": HYSTERESIS_STATUSES,
        "card_tier_status": HYSTERESIS_STATUSES,
    }
    wide = {name: _text(pa.Check.isin(allowed)) for name, allowed in wide_codes.items()}
    wide |= {
        f"{name}_code": _text()
        for name in (
            "contribution_tier",
            "loyalty_tier",
            "credit_grade",
            "star_level",
            "card_tier",
            "city_tier",
            "purchase_frequency",
            "business_scope",
        )
    }
    return {
        "customer_risk_tier": tier_table(
            "customer_risk_tier",
            codes("risk_tier_bands", unrated_scheme="risk"),
            {
                "risk_score": _score(),
                "occupation_risk_class": _int(pa.Check.in_range(1, 6)),
                "claims_ratio": pa.Column(dt.Decimal(18, 4), pa.Check.ge(0), nullable=True),
            },
        ),
        "customer_education_tier": tier_table(
            "customer_education_tier",
            codes("education_tier_bands", unrated_scheme="education"),
            {"education_score": _score(), "insurance_line_count_12m": _int(pa.Check.ge(0))},
        ),
        "customer_region_tier": tier_table(
            "customer_region_tier",
            codes("region_groups", unrated_scheme="region"),
            {
                "city_tier_code": _text(
                    pa.Check.isin(codes("city_tier_levels", unrated_scheme="city_tier"))
                ),
                "region_customer_count": _int(pa.Check.ge(1)),
            },
        ),
        "customer_value_tier": tier_table(
            "customer_value_tier",
            codes("value_tier_bands"),
            {
                "spend_12m": _amount(pa.Check.ge(0), nullable=False),
                "purchase_frequency_code": _text(pa.Check.isin(codes("purchase_frequency_bands"))),
                "business_scope_code": _text(pa.Check.isin(codes("business_scope_bands"))),
            },
        ),
        "customer_scorecard": tier_table(
            "customer_scorecard",
            codes("scorecard_grade_bands", unrated_scheme="scorecard"),
            {
                "total_score": _score(),
                **{
                    f"{d}_score": _score()
                    for d in (
                        "value",
                        "creditworthiness",
                        "business_potential",
                        "relationship",
                        "geography",
                        "purchase_frequency",
                        "industry",
                        "product_fit",
                        "brand_influence",
                    )
                },
                "dimensions_missing_count": _int(pa.Check.in_range(0, 9), nullable=False),
            },
        ),
        "lead_intent": tier_table(
            "lead_intent",
            codes("lead_intent_levels", unrated_scheme="lead_intent"),
            {
                "intent_level": _int(pa.Check.in_range(1, 6)),
                "lead_quality_code": _text(
                    pa.Check.isin(codes("lead_quality_grades", unrated_scheme="lead_quality"))
                ),
                "lead_quality_score": _score(),
            },
        ),
        "lead_pipeline_stage": tier_table(
            "lead_pipeline_stage",
            sorted(set(stage_codes)),
            {
                "months_to_close": _int(pa.Check.ge(0)),
            },
        ),
        "customer_star_tier_effective": tier_table(
            "customer_star_tier_effective",
            star_codes,
            {
                "star_level_status": _text(pa.Check.isin(HYSTERESIS_STATUSES)),
                "effective_card_tier_code": _text(pa.Check.isin(card_codes)),
                "card_tier_status": _text(pa.Check.isin(HYSTERESIS_STATUSES)),
                "months_below": _int(pa.Check.ge(0)),
                "card_months_below": _int(pa.Check.ge(0)),
            },
        ),
        "customer_tiers": pa.DataFrameSchema(
            {
                "customer_id": pa.Column(dt.String, nullable=False, unique=True),
                "as_of_date": pa.Column(dt.Date, nullable=False),
                **wide,
                "rule_version": _text(pa.Check.str_length(min_value=1)),
            },
            name="marts.customer_tiers",
            strict=False,
        ),
        "customer_tier_history": pa.DataFrameSchema(
            {
                "customer_id": pa.Column(dt.String, nullable=False),
                "scheme": _text(pa.Check.isin(HISTORY_SCHEMES)),
                "tier_code": _text(pa.Check.str_length(min_value=1)),
                "valid_from": pa.Column(dt.Date, nullable=False),
                "valid_to": pa.Column(dt.Date, nullable=True),
                "rating_count": _int(pa.Check.ge(1), nullable=False),
                "is_current": pa.Column(dt.Boolean, nullable=False),
                "as_of_date": pa.Column(dt.Date, nullable=False),
            },
            name="marts.customer_tier_history",
            strict=False,
        ),
        "tier_migration": pa.DataFrameSchema(
            {
                "scheme": _text(pa.Check.isin(HISTORY_SCHEMES)),
                "to_as_of_date": pa.Column(dt.Date, nullable=False),
                "movement": _text(pa.Check.isin(["SAME", "UP", "DOWN", "NEW", "GONE"])),
                "customer_count": _int(pa.Check.ge(1), nullable=False),
                "share_of_from_tier": pa.Column(dt.Decimal(9, 4), pa.Check.in_range(0, 1)),
            },
            name="marts.tier_migration",
            strict=False,
        ),
    }


def _build() -> dict[str, pa.DataFrameSchema]:
    star_codes = codes("star_level_bands", unrated_scheme="star_level")
    card_codes = codes("card_tier_bands", unrated_scheme="card_tier")
    grade_codes = codes("credit_grade_bands", unrated_scheme="credit_grade")
    return {
        "customer_contribution_tier": tier_table(
            "customer_contribution_tier",
            codes("contribution_tier_bands"),
            {
                "premium_income": _amount(pa.Check.ge(0), nullable=False),
                "service_income": _amount(pa.Check.ge(0), nullable=False),
                "claims_paid": _amount(pa.Check.ge(0), nullable=False),
                "contribution_12m": _amount(nullable=False),
            },
        ),
        "customer_loyalty_tier": tier_table(
            "customer_loyalty_tier",
            codes("loyalty_tier_bands"),
            {
                "loyalty_score": pa.Column(dt.Decimal(5, 2), [pa.Check.in_range(0, 100)]),
                "r_score": pa.Column(dt.Int32, pa.Check.in_range(1, 5), nullable=True),
                "f_score": pa.Column(dt.Int32, pa.Check.in_range(1, 5), nullable=True),
                "m_score": pa.Column(dt.Int32, pa.Check.in_range(1, 5), nullable=True),
                "rfm_segment_code": _text(pa.Check.isin(codes("rfm_segments", "segment_code"))),
            },
        ),
        "customer_credit_rating": tier_table(
            "customer_credit_rating",
            grade_codes,
            {
                "credit_score": pa.Column(dt.Int32, pa.Check.in_range(300, 850), nullable=True),
                "credit_status_code": _text(
                    pa.Check.isin(codes("credit_status_bands", unrated_scheme="credit_status"))
                ),
                "repayment_capacity_code": _text(
                    pa.Check.isin(
                        codes("repayment_capacity_bands", unrated_scheme="repayment_capacity")
                    )
                ),
                "collateral_code": _text(
                    pa.Check.isin(codes("collateral_bands", unrated_scheme="collateral"))
                ),
                "recommended_credit_limit": _amount(pa.Check.ge(0)),
            },
        ),
        "customer_star_tier": tier_table(
            "customer_star_tier",
            star_codes,
            {
                "star_points": _amount(pa.Check.ge(0)),
                "star_level_code": _text(pa.Check.isin(star_codes)),
                "monthly_avg_daily_assets": _amount(pa.Check.ge(0)),
                "card_tier_code": _text(pa.Check.isin(card_codes)),
            },
        ),
        **_issue3_schemas(),
    }


MART_SCHEMAS: dict[str, pa.DataFrameSchema] = _build()
