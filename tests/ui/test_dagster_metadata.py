"""What the Dagster UI shows of the tier assets: every materialisation of a tier asset
carries its row count, as-of date, rule version, its distribution as a table, and one
number per tier, which the UI plots run over run (checked here through the instance,
as the UI reads it)."""

import dagster as dg
import pytest

from orchestration.transform.metadata import schemes_by_model
from orchestration.warehouse import connect
from tests.ui.conftest import MONTH_ENDS

pytestmark = pytest.mark.ui

STAR = dg.AssetKey(["tiers", "customer_star_tier"])


def materialisations(instance: dg.DagsterInstance, key: dg.AssetKey) -> list:
    records = instance.fetch_materializations(key, limit=10).records
    return [r.asset_materialization for r in reversed(records)]  # oldest first


def test_each_tier_count_is_a_number_plotted_over_the_runs(nightly_runs):
    for model, schemes in schemes_by_model().items():
        layer = "marts" if model.endswith("_effective") else "tiers"
        runs = materialisations(nightly_runs.instance, dg.AssetKey([layer, model]))
        assert [m.metadata["as_of_date"].value for m in runs] == list(MONTH_ENDS), model
        for scheme in schemes:
            plotted = [
                {
                    k: v.value
                    for k, v in m.metadata.items()
                    if k.startswith(f"tiers/{scheme.scheme}/")
                }
                for m in runs
            ]
            assert all(plotted), (model, scheme.scheme)  # every run has the numbers
            assert all(isinstance(n, int) for p in plotted for n in p.values())
        assert all(m.metadata["dagster/row_count"].value > 100 for m in runs), model
        assert all(m.metadata["rule_version"].value for m in runs), model


def test_the_numbers_are_the_tier_tables_of_that_run(nightly_runs):
    last = materialisations(nightly_runs.instance, STAR)[-1].metadata
    with connect(nightly_runs.home / "warehouse.duckdb", read_only=True) as con:
        star = dict(
            con.execute(
                "select tier_code, count(*) from marts.customer_star_tier group by 1"
            ).fetchall()
        )
        card = dict(
            con.execute(
                "select card_tier_code, count(*) from marts.customer_star_tier group by 1"
            ).fetchall()
        )
    assert {k: v.value for k, v in last.items() if k.startswith("tiers/star_level/")} == {
        f"tiers/star_level/{c}": n for c, n in star.items()
    }
    assert {k: v.value for k, v in last.items() if k.startswith("tiers/card_tier/")} == {
        f"tiers/card_tier/{c}": n for c, n in card.items()
    }
    table = last["tier_distribution"].value
    shown = {(r.data["scheme"], r.data["tier_code"]): r.data["customers"] for r in table.records}
    assert shown[("star_level", "STAR_5")] == star.get("STAR_5")
    assert sum(n for (s, _), n in shown.items() if s == "star_level") == sum(star.values())


def test_the_published_asset_links_each_report(nightly_runs):
    (published,) = materialisations(nightly_runs.instance, dg.AssetKey(["published", "tiers"]))[-1:]
    for clearance in ("general", "confidential", "restricted"):
        path = published.metadata[f"{clearance}_report"].value
        assert path == str(nightly_runs.home / "published" / clearance / "report.html")
