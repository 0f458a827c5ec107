"""Owners and tags of the assets, as the Dagster UI shows and filters them: every asset
has the owners of its group and the tags of its layer and highest information class,
and a dbt asset's column schema carries each column's class."""

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.settings import ASSET_OWNERS, INFO_CLASS_TAG, LAYER_TAG, asset_labels


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def test_every_asset_has_the_owners_and_tags_of_its_group(graph):
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.owners == list(ASSET_OWNERS[node.group_name]), key
        assert node.tags[LAYER_TAG] == node.group_name, key
        assert node.tags[INFO_CLASS_TAG] in ("A", "B", "C"), key


def test_the_info_class_tag_is_the_highest_class_the_asset_holds(graph):
    def info_class(*path: str) -> str:
        return graph.get(dg.AssetKey(list(path))).tags[INFO_CLASS_TAG]

    assert info_class("landing", "customers") == "A"  # names, national IDs in the files
    assert info_class("raw", "customers") == "B"  # stored as tokens
    assert info_class("seeds", "star_level_bands") == "C"
    assert info_class("governance_review") == "C"
    published_layers = {"tiers", "marts", "published"}
    published = [
        k for k in graph.get_all_asset_keys() if graph.get(k).group_name in published_layers
    ]
    assert published
    assert all(graph.get(k).tags[INFO_CLASS_TAG] != "A" for k in published)  # never class A
    assert info_class("published", "tiers") == "B"


def test_a_dbt_asset_shows_each_column_with_its_class(graph):
    schema = graph.get(dg.AssetKey(["tiers", "customer_star_tier"])).metadata[
        "dagster/column_schema"
    ]
    columns = schema.value.columns if hasattr(schema, "value") else schema.columns
    assert len(columns) > 10
    assert all(c.tags[INFO_CLASS_TAG] in ("B", "C") for c in columns)
    assert {c.name: c.tags[INFO_CLASS_TAG] for c in columns}["customer_id"] == "C"


@pytest.mark.parametrize(
    ("classes", "expected"), [((), "C"), (("C", "B"), "B"), (("B", "A", "C"), "A"), ((None,), "C")]
)
def test_the_highest_class_wins(classes, expected):
    assert asset_labels("raw", classes)["tags"][INFO_CLASS_TAG] == expected
