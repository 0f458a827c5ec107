"""``tiering docs`` (``make docs``): the dbt docs site of the warehouse as one page
that opens from disk: the models, their columns with the warehouse's types (dbt's
catalog), never a value of a row."""

import json
import re

import pytest

from orchestration.cli import main
from tests.conftest import open_db

pytestmark = pytest.mark.ui


def test_docs_is_one_private_page_with_the_models_and_the_warehouse_types(nightly_runs, capsys):
    assert main(["docs", "--home", str(nightly_runs.home), "--as-of", "2026-10-31"]) == 0
    page = nightly_runs.home / "dbt" / "docs" / "static_index.html"
    assert str(page) in capsys.readouterr().out
    assert page.stat().st_mode & 0o007 == 0
    text = page.read_text(encoding="utf-8")
    catalog = json.loads((page.parent / "catalog.json").read_text(encoding="utf-8"))
    star = catalog["nodes"]["model.tiering.customer_star_tier"]
    assert star["columns"]["star_points"]["type"].startswith("DECIMAL")
    assert "model.tiering.customer_star_tier" in text and '"star_points"' in text
    # no value of a row: not one customer number of the warehouse is on the page
    with open_db(nightly_runs.home / "warehouse.duckdb") as con:
        customers = [
            c for (c,) in con.execute("select customer_id from marts.customer_tiers").fetchall()
        ]
    assert customers and not [c for c in customers if re.search(rf"\b{re.escape(c)}\b", text)]
