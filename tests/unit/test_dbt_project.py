"""The dbt project's shape, read from its parsed manifest: layers in dependency order,
an information class on every column."""

import json

import pytest

from orchestration.transform.project import prepare_manifest

#: the folders of models/, in dependency order, and what each may read.
READS = {
    "staging": {"staging"},
    "intermediate": {"staging", "intermediate"},
    "tiers": {"intermediate", "tiers"},
    "history": {"tiers", "history"},
    # marts = what reads the tiers and their history
    "marts": {"tiers", "history", "marts"},
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(prepare_manifest().read_text(encoding="utf-8"))


def models(manifest):
    return {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}


def test_every_model_lives_in_a_layer_folder(manifest):
    assert {n["fqn"][1] for n in models(manifest).values()} == set(READS)


def test_no_model_reads_a_later_layer_or_skips_one(manifest):
    nodes = models(manifest)
    wrong = []
    for node in nodes.values():
        layer = node["fqn"][1]
        for dep in node["depends_on"]["nodes"]:
            if dep.startswith("source."):
                ok = layer == "staging"
                dep_layer = "source"
            elif dep in nodes:
                dep_layer = nodes[dep]["fqn"][1]
                ok = dep_layer in READS[layer]
            else:  # seeds and macros may be read anywhere
                continue
            if not ok:
                wrong.append(f"{layer}/{node['name']} reads {dep_layer}/{dep.split('.')[-1]}")
    assert wrong == []


def test_every_column_of_every_model_has_an_information_class(manifest):
    from orchestration.security.classification import missing_classes

    assert missing_classes(manifest) == []


def test_the_column_catalogue_is_current(manifest):
    """dbt_project/CATALOGUE.md says every published column's class: regenerate it
    with `make catalogue` after changing a model's yml."""
    from orchestration.publish.catalogue import catalogue_path, render
    from orchestration.transform.project import project_dir

    expected = render(manifest)
    assert catalogue_path(project_dir()).read_text(encoding="utf-8") == expected
    published = [line for line in expected.splitlines() if line.startswith("| `")]
    assert len(published) > 300
    assert all(line.split(" | ")[2] in ("B", "C") for line in published)  # never A


def test_the_scheme_registry_names_real_models_columns_and_seeds(manifest):
    from orchestration.transform.registry import tier_schemes

    nodes = models(manifest)
    by_name = {n["name"]: n for n in nodes.values()}
    seeds = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "seed"}
    schemes = tier_schemes()
    assert len({s.scheme for s in schemes}) == len(schemes)  # one name per scheme
    for s in schemes:
        assert s.model in by_name, s
        assert s.code_column in by_name[s.model]["columns"], s
        assert s.codes_seed in seeds, s
        assert s.effective_of is None or s.effective_of in {x.scheme for x in schemes}, s
    # every tier table computes at least one scheme of the registry, but for the
    # manual overrides in force that the tier kit applies to them
    tier_models = {n["name"] for n in nodes.values() if n["fqn"][1] == "tiers"}
    assert tier_models - {"customer_tier_overrides"} <= {s.model for s in schemes}
    # the wide table has the code of every scheme under the scheme's own name
    wide = by_name["customer_tiers"]["columns"]
    assert [s.scheme for s in schemes if f"{s.scheme}_code" not in wide] == []


def test_the_quasi_identifiers_are_the_columns_an_outsider_can_know(manifest):
    """The general artefact drops these until every combination covers >= 5 customers;
    a flag on the wrong column leaves a real quasi-identifier published."""
    flagged = {
        (node["name"], column)
        for node in models(manifest).values()
        for column, spec in node["columns"].items()
        if (spec.get("meta") or {}).get("quasi_identifier")
    }
    assert flagged == {
        ("customer_scorecard", "tenure_years"),
        ("customer_scorecard", "city_tier_code"),
        ("customer_scorecard", "industry"),
        ("customer_region_tier", "city_tier_code"),
    }


def test_every_scheme_shows_its_computed_tier_and_its_manual_override(manifest):
    """The tier kit applies the manual overrides to every scheme of the registry: its
    model reads customer_tier_overrides and declares, beside the tier that applies, the
    computed tier and the override (reason, approver, expiry)."""
    from orchestration.transform.registry import tier_schemes

    by_name = {n["name"]: n for n in models(manifest).values()}
    missing = []
    for s in tier_schemes():
        node = by_name[s.model]
        if "model.tiering.customer_tier_overrides" not in node["depends_on"]["nodes"]:
            missing.append(f"{s.model} does not read customer_tier_overrides")
        pin = f"{s.prefix}_" if s.prefix else ""
        wanted = [
            f"computed_{s.code_column}",
            f"{pin}is_override",
            f"{pin}override_reason",
            f"{pin}override_approved_by",
            f"{pin}override_valid_until",
        ]
        missing += [f"{s.model}.{c}" for c in wanted if c not in node["columns"]]
        classes = {
            c: (node["columns"].get(c, {}).get("meta") or {}).get("info_class") for c in wanted
        }
        # the free text of an override is confidential, as the landing contract says
        assert classes[f"{pin}override_reason"] in (None, "B"), s
        assert classes[f"{pin}override_approved_by"] in (None, "B"), s
    assert missing == []
