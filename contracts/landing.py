"""Landing contract v1: the files a source system drops into the landing folder.

This module is the single definition of every landing source: its columns, their
types, which are required, the natural key and the allowed values. The ingest
assets generate their SQL from it, the synthetic generator writes files that
follow it, and the raw-stage pandera schemas (``contracts.raw``) are built from it.

A source is delivered as one or more files named ``<source>*.csv`` /
``<source>*.parquet`` in the landing folder, or any such files inside a
``<source>/`` sub-folder (for example one file per day).

The manual tier overrides (``overrides``) are checked against the dbt project's scheme
registry and codes seeds (:func:`orchestration.transform.registry.scheme_codes`), so the
tier rules stay typed once, in the seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.transform.registry import scheme_codes

#: transaction types and their direction; ``amount`` is always non-negative.
TRANSACTION_TYPES: tuple[str, ...] = (
    "purchase",
    "premium",
    "claim",
    "service_fee",
    "card_spend",
    "fee_business",
    "deposit",
    "withdrawal",
    "refund",
)
INTERACTION_TYPES: tuple[str, ...] = ("survey", "complaint", "referral", "call", "visit")
CUSTOMER_TYPES: tuple[str, ...] = ("individual", "corporate")
PRODUCT_TYPES: tuple[str, ...] = ("deposit", "wealth", "fund", "insurance")
#: outcome codes of a sales/service call (interaction_type = call); the lead intent
#: levels 1-6 of the source requirements are derived from them (seed lead_intent_levels).
CALL_OUTCOMES: tuple[str, ...] = (
    "invalid_number",  # vacant / suspended / not the person on file
    "switched_off",
    "call_reminder",
    "no_answer",
    "not_connected",
    "hung_up",  # hung up at once
    "refused_contact",
    "hostile",
    "not_interested",  # no interest shown, not hostile
    "call_later",  # no time now, agrees to a later call
    "interested_needs_info",  # fairly interested, wants to learn more about us
    "very_interested",
    "agreed_visit",
)
#: a lead's need (客户分层分级标准): explicit need with an expected close date, latent
#: need (stage D whatever the date) or no need at all (stage E, "dead").
NEED_STATUSES: tuple[str, ...] = ("explicit", "latent", "none")
LEAD_SOURCES: tuple[str, ...] = ("referral", "call_center", "event", "online", "branch")
#: a company's position in its market (企事业单位 市场地位), best first; the corporate
#: credit rule gives each its points (seed market_positions).
MARKET_POSITIONS: tuple[str, ...] = ("leader", "major", "average", "minor")


#: lineage columns every raw and quarantine row carries.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source_file", "VARCHAR"),  # file name relative to the landing folder
    ("_source_row", "BIGINT"),  # 1-based data row number in that file (header excluded)
    ("_loaded_at", "TIMESTAMP"),  # when the ingest run loaded it (UTC)
    ("_run_id", "VARCHAR"),  # the Dagster run that loaded it
)
#: columns the ingest adds to a quarantine table (the rejection's reason code and
#: reasons): no landing column may take one of these names or a lineage column's.
QUARANTINE_COLUMNS: tuple[str, ...] = ("reason_code", "reason")


@dataclass(frozen=True)
class Col:
    """One landing column.

    ``sql_type`` is the DuckDB type the raw table stores it as; a value that does not
    cast to it is quarantined. ``allowed`` lists the accepted values of a code column,
    ``min``/``max`` bound a numeric column (inclusive), ``pattern`` is a regular
    expression a text value must match in full. ``allowed_per`` makes the accepted
    values depend on another column of the row: ``(column, ((value, codes), ...))``
    (a tier code is checked against the codes of the row's scheme); it is checked only
    when the other column holds a listed value, an unlisted one being reported on that
    column. ``not_before`` names a date column of the row this one may not precede
    (the end of a period).
    """

    name: str
    sql_type: str = "VARCHAR"
    required: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    allowed_per: tuple[str, tuple[tuple[str, tuple[str, ...]], ...]] | None = None
    not_before: str | None = None
    #: class A columns are personal identifiers: ingest stores only their HMAC token,
    #: in column ``<name>_token`` (see :attr:`stored_name`); the value goes to the vault.
    info_class: str = "C"
    description: str = ""

    @property
    def stored_name(self) -> str:
        """The column's name in raw and quarantine tables."""
        return self.name + TOKEN_SUFFIX if self.info_class == "A" else self.name

    @property
    def stored_type(self) -> str:
        return "VARCHAR" if self.info_class == "A" else self.sql_type


@dataclass(frozen=True)
class Source:
    name: str
    columns: tuple[Col, ...]
    #: columns that identify a row; two rows with the same key and different
    #: content are a conflict (the later one is quarantined).
    key: tuple[str, ...]
    mandatory: bool = False
    #: the column compared with the as-of date (rows after it are quarantined).
    event_time: str | None = None
    #: True when ``customer_id`` must exist in ``customers``.
    child_of_customers: bool = True
    description: str = ""

    def __post_init__(self) -> None:
        names = {c.stored_name for c in self.columns}
        reserved = names & {*QUARANTINE_COLUMNS, *(n for n, _ in LINEAGE_COLUMNS)}
        if reserved:
            raise ValueError(
                f"landing source {self.name}: column(s) {sorted(reserved)} would clash with "
                "the columns ingest adds to raw and quarantine tables"
            )
        for c in self.columns:
            for other in (c.not_before, c.allowed_per[0] if c.allowed_per else None):
                if other is not None and other not in {x.name for x in self.columns}:
                    raise ValueError(f"landing source {self.name}.{c.name}: no column {other!r}")

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def class_a(self) -> tuple[str, ...]:
        """Columns of information class A (personal identifiers), tokenised at ingest."""
        return tuple(c.name for c in self.columns if c.info_class == "A")

    def column(self, name: str) -> Col:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


MONEY = "DECIMAL(18,2)"
#: suffix of the column that holds a class A column's token in raw and quarantine.
TOKEN_SUFFIX = "_token"
#: a token: HMAC-SHA-256, 64 lowercase hex characters.
TOKEN_PATTERN = "[0-9a-f]{64}"

CUSTOMERS = Source(
    name="customers",
    mandatory=True,
    key=("customer_id",),
    child_of_customers=False,
    event_time="onboarded_date",
    description="One row per customer (person or company).",
    columns=(
        Col("customer_id", required=True, description="Source system customer number."),
        Col("customer_type", allowed=CUSTOMER_TYPES),
        Col("full_name", info_class="A", description="Name of the person or company."),
        Col("national_id", info_class="A", description="National ID or registration number."),
        Col("phone", info_class="A"),
        Col("birth_date", "DATE", info_class="B"),
        Col("gender", allowed=("F", "M", "U"), info_class="B"),
        Col("education_level", info_class="B"),
        Col("occupation", info_class="B"),
        Col("occupation_risk_class", "INTEGER", min=1, max=6, info_class="B"),
        Col("industry"),
        Col("province", info_class="B"),
        Col("city", info_class="B"),
        Col("onboarded_date", "DATE"),
        # business facts of a company (corporate credit rule; empty for individuals)
        Col(
            "registered_capital",
            MONEY,
            min=0,
            info_class="B",
            description="Registered capital of a company (注册资本), CNY.",
        ),
        Col(
            "annual_revenue",
            MONEY,
            min=0,
            info_class="B",
            description="Annual revenue of a company (年营业收入), CNY.",
        ),
        Col(
            "market_position",
            allowed=MARKET_POSITIONS,
            info_class="B",
            description="Position of a company in its market (市场地位), best first.",
        ),
        Col(
            "years_in_business",
            "INTEGER",
            min=0,
            info_class="B",
            description="Complete years a company has been in business (经营年限).",
        ),
    ),
)

TRANSACTIONS = Source(
    name="transactions",
    mandatory=True,
    key=("transaction_id",),
    event_time="transaction_ts",
    description="Money movements; the type gives the direction, the amount is >= 0.",
    columns=(
        Col("transaction_id", required=True),
        Col("customer_id", required=True),
        Col("transaction_ts", "TIMESTAMP", required=True),
        Col("transaction_type", required=True, allowed=TRANSACTION_TYPES),
        Col("amount", MONEY, required=True, min=0, info_class="B"),
        Col("currency", pattern="[A-Z]{3}"),
        Col("channel"),
        Col("product_line"),
    ),
)

BALANCES = Source(
    name="balances",
    key=("customer_id", "month", "account_id", "product_type"),
    description="Monthly average daily balance per account (financial assets).",
    columns=(
        Col("customer_id", required=True),
        Col("month", required=True, pattern=r"\d{4}-(0[1-9]|1[0-2])"),
        Col("avg_daily_balance", MONEY, required=True, min=0, info_class="B"),
        Col("account_id", info_class="B"),
        Col("product_type", allowed=PRODUCT_TYPES),
    ),
)

CREDIT_REPORTS = Source(
    name="credit_reports",
    key=("customer_id", "report_date"),
    event_time="report_date",
    description="Credit bureau reports with income, debt and collateral.",
    columns=(
        Col("customer_id", required=True),
        Col("report_date", "DATE", required=True),
        Col("credit_score", "INTEGER", required=True, min=300, max=850, info_class="B"),
        Col("annual_income", MONEY, min=0, info_class="B"),
        Col("total_debt", MONEY, min=0, info_class="B"),
        Col("monthly_debt_payment", MONEY, min=0, info_class="B"),
        Col("overdue_count", "INTEGER", min=0, info_class="B"),
        Col("max_days_past_due", "INTEGER", min=0, info_class="B"),
        Col("collateral_type", info_class="B"),
        Col("collateral_value", MONEY, min=0, info_class="B"),
        Col("loan_amount", MONEY, min=0, info_class="B"),
    ),
)

INTERACTIONS = Source(
    name="interactions",
    key=("customer_id", "interaction_ts", "interaction_type"),
    event_time="interaction_ts",
    description="Surveys, complaints, referrals, calls and visits.",
    columns=(
        Col("customer_id", required=True),
        Col("interaction_ts", "TIMESTAMP", required=True),
        Col("interaction_type", required=True, allowed=INTERACTION_TYPES),
        Col("satisfaction_score", "INTEGER", min=1, max=5),
        Col("complaint_resolved", "BOOLEAN"),
        Col("call_outcome", allowed=CALL_OUTCOMES),
        Col("notes", info_class="B"),
    ),
)

LEADS = Source(
    name="leads",
    key=("customer_id", "captured_date"),
    event_time="captured_date",
    description="Sales lead assessments: the quality factors and the expected close.",
    columns=(
        Col("customer_id", required=True),
        Col(
            "captured_date",
            "DATE",
            required=True,
            description="Date the sales team recorded the assessment.",
        ),
        Col("lead_source", allowed=LEAD_SOURCES),
        Col(
            "is_same_type",
            "BOOLEAN",
            description="Already invests in the same type of product (同类型) or not (外行).",
        ),
        Col(
            "capital_amount",
            MONEY,
            min=0,
            info_class="B",
            description="Capital / planned investment amount (资金实力及预投资额度), CNY.",
        ),
        Col(
            "has_local_relations",
            "BOOLEAN",
            info_class="B",
            description="Local relations, bank relations and work income (当地人脉关系).",
        ),
        Col(
            "main_product_is_ours",
            "BOOLEAN",
            description="The main investment product is one of ours (主要投资产品以我公司为主).",
        ),
        Col(
            "prior_investment_amount",
            MONEY,
            min=0,
            info_class="B",
            description="Amount in prior investments (原投资产品), CNY.",
        ),
        Col(
            "recognition_score",
            "INTEGER",
            min=1,
            max=5,
            description="Recognition of our company (认可程度), 1 (low) to 5 (high).",
        ),
        Col(
            "expected_close_date",
            "DATE",
            description="Date the deal is expected to close (explicit need).",
        ),
        Col("need_status", allowed=NEED_STATUSES),
    ),
)

#: scheme name -> the tier codes a manual override of that scheme may pin: the scheme
#: registry (var tier_schemes of dbt_project.yml) and its codes seeds, read from the
#: dbt project, so a scheme or band added there is accepted here without an edit.
OVERRIDE_CODES: dict[str, tuple[str, ...]] = scheme_codes()

OVERRIDES = Source(
    name="overrides",
    key=("override_id",),
    event_time="valid_from",
    description=(
        "Manual tier overrides: a relationship manager or risk officer pins a customer's"
        " tier of one scheme, with the reason, the approver and the validity."
    ),
    columns=(
        Col(
            "override_id",
            required=True,
            description="Identifier of the override (natural key); of two overrides in "
            "force for one customer and scheme the later valid_from wins, then the higher id.",
        ),
        Col("customer_id", required=True),
        Col(
            "scheme",
            required=True,
            allowed=tuple(OVERRIDE_CODES),
            description="The tier scheme pinned: a scheme name of the registry "
            "(contribution_tier, star_level, effective_star_level, ...).",
        ),
        Col(
            "tier_code",
            required=True,
            allowed_per=("scheme", tuple(OVERRIDE_CODES.items())),
            description="The tier the customer is pinned to: a code of the scheme's codes "
            "seed (e.g. VIP of value_tier_bands), never UNRATED.",
        ),
        Col(
            "override_reason",
            required=True,
            info_class="B",
            description="Why the tier is pinned (free text; national IDs and mobile numbers "
            "are masked in staging).",
        ),
        Col(
            "approved_by",
            required=True,
            info_class="B",
            description="Who approved the override (name or staff id of the relationship "
            "manager's or risk officer's approver).",
        ),
        Col(
            "valid_from",
            "DATE",
            required=True,
            description="First day the override applies; a later date than the as-of date "
            "holds the row back until a run of that date.",
        ),
        Col(
            "valid_until",
            "DATE",
            not_before="valid_from",
            description="Last day the override applies; empty = until withdrawn (the row "
            "removed from the landing files).",
        ),
    ),
)

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (CUSTOMERS, TRANSACTIONS, BALANCES, CREDIT_REPORTS, INTERACTIONS, LEADS, OVERRIDES)
}


#: ``raw.source_manifest``: one row per landing source of the last ingest run (every
#: column class C: counts and names, no customer information).
SOURCE_MANIFEST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", "VARCHAR PRIMARY KEY"),
    ("is_present", "BOOLEAN"),
    ("file_count", "INTEGER"),
    ("rows_read", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_quarantined", "BIGINT"),
    ("rows_duplicate", "BIGINT"),
    ("extra_columns", "VARCHAR"),
    ("loaded_at", "TIMESTAMP"),
    ("run_id", "VARCHAR"),
)


def source_manifest_ddl(schema: str = "raw") -> str:
    cols = ", ".join(f"{name} {typ.lower()}" for name, typ in SOURCE_MANIFEST_COLUMNS)
    return f"create table if not exists {schema}.source_manifest ({cols})"


def raw_table_ddl(source: Source, schema: str = "raw") -> str:
    """``create table`` statement of ``<schema>.<source>`` (typed columns + lineage)."""
    cols = [f'"{c.stored_name}" {c.stored_type}' for c in source.columns]
    cols += [f'"{name}" {typ}' for name, typ in LINEAGE_COLUMNS]
    return f"create table if not exists {schema}.{source.name} (\n  " + ",\n  ".join(cols) + "\n)"
