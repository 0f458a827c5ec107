"""The benchmark's floor agrees with the product: the hand-written SQL of
``tests/benchmarks/handwritten_tiers.sql`` gives every customer of the shared nightly
run the same four core tier codes as the published tier tables, so the agreement check
of ``make bench`` cannot rot unnoticed when a rule or a seed changes."""

from tests.benchmarks.handwritten_tiers import PRODUCT_TABLES, compute, disagreements
from tests.conftest import AS_OF, open_db


def test_handwritten_tiers_agree_with_the_published_tiers(nightly_run, tmp_path) -> None:
    out = tmp_path / "handwritten.duckdb"
    rows = compute(nightly_run.landing, AS_OF, out)
    with open_db(nightly_run.artefact_of("restricted")) as con:  # every customer
        customers = con.execute("select count(*) from customer_star_tier").fetchone()[0]
        found = disagreements(con, out)
        spread = {
            column: con.execute(
                f"select count(distinct computed_tier_code) from {table}"
            ).fetchone()[0]
            for column, table in PRODUCT_TABLES.items()
        }
    assert rows == customers > 0
    assert found == {column: (0, []) for column in PRODUCT_TABLES}
    # the agreement means something: each tier sorts the customers into several codes
    assert all(n >= 3 for n in spread.values()), spread
