"""history.tier_service_measures_current within a small memory limit.

At 1M customers the model ran out of DuckDB's 3 GiB limit while it aggregated the
measure texts per customer (make bench SIZE=100m). It now aggregates per customer only
the numbers of the measures, and builds the texts once per distinct combination. This
test builds it from its own SQL on 25,000 customers under a 32 MB limit (the text
aggregation runs out of it) and compares it with the texts aggregated
per customer without a limit.
"""

from pathlib import Path

import duckdb
import jinja2

from orchestration.transform.project import project_dir

MODEL = project_dir() / "models" / "history" / "tier_service_measures_current.sql"
ENGINE_MACROS = project_dir() / "macros" / "tier_kit" / "engine.sql"
CUSTOMERS = 25_000
# the schemes with service measures, their tiers (as the seed has them)
SCHEMES = {
    "value_tier": ("VIP", "SENIOR", "GENERAL", "LOW_END"),
    "purchase_frequency": ("HIGH", "GENERAL", "LOW"),
    "contribution_tier": ("HIGH", "MID", "LOW"),
    "loyalty_tier": ("HIGH", "MID", "LOW"),
    "risk_tier": ("LOW", "MID", "HIGH"),
    "education_tier": ("HIGH", "MID", "LOW"),
}
REFERENCE = """
    select ratings.customer_id,
        string_agg(m.measures_zh, '；' order by m.display_order) as measures_zh,
        string_agg(m.measures_en, '; ' order by m.display_order) as measures_en
    from tier_ratings_current as ratings
    inner join service_measures as m using (scheme, tier_code)
    group by ratings.customer_id
"""


def _model_sql() -> str:
    """The model's SQL as dbt compiles it for DuckDB: ``ref`` is the bare table name and
    the tier kit's engine macros are their DuckDB (``default__``) versions."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    engine = env.from_string(ENGINE_MACROS.read_text(encoding="utf-8")).module
    macros = {
        name.removeprefix("default__"): getattr(engine, name)
        for name in dir(engine)
        if name.startswith("default__")
    }
    return env.from_string(MODEL.read_text(encoding="utf-8")).render(
        ref=lambda name: name, **macros
    )


def test_the_measures_of_25k_customers_build_within_32_mb(tmp_path: Path):
    measures = [
        (scheme, tier, order, f"{scheme}{tier}措施" * 4, f"measure for {scheme} {tier} " * 6)
        for order, (scheme, tiers) in enumerate(SCHEMES.items(), 1)
        for tier in tiers
    ]
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute(
            "create table service_measures (scheme varchar, tier_code varchar, "
            "display_order integer, measures_zh varchar, measures_en varchar)"
        )
        con.executemany("insert into service_measures values (?, ?, ?, ?, ?)", measures)
        # every customer rated in every scheme (and in one without measures)
        con.execute(
            """
            create table tier_ratings_current as
            select 'C' || c as customer_id, s.scheme,
                s.tiers[(1 + hash(c, s.scheme) % len(s.tiers))::integer] as tier_code
            from range(?) as r(c),
                (select scheme, list(tier_code) as tiers from service_measures group by 1
                 union all select 'credit_grade', ['A', 'B']) as s
            """,
            [CUSTOMERS],
        )
        expected = con.execute(f"select * from ({REFERENCE}) order by all").fetchall()
        con.execute("set threads = 2")
        con.execute(f"set temp_directory = '{tmp_path / 'spill'}'")
        con.execute("set memory_limit = '32MB'")
        con.execute(f"create table built as {_model_sql()}")
        con.execute("set memory_limit = '2GB'")  # for the comparison only
        got = con.execute("select * from built order by all").fetchall()
    assert len(got) == CUSTOMERS
    assert got == expected
