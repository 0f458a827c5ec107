"""The column-class check (orchestration.security.classification) on small compiled
manifests."""

from __future__ import annotations

import pytest

from orchestration.security.classification import (
    classification_problems,
    inheritance_problems,
    missing_classes,
    source_classes,
)


def model(name, sql, columns, schema="marts"):
    return {
        "resource_type": "model",
        "name": name,
        "alias": name,
        "schema": schema,
        "database": "warehouse",
        "compiled_code": sql,
        "columns": {
            col: {"name": col, "meta": meta if isinstance(meta, dict) else {"info_class": meta}}
            for col, meta in columns.items()
        },
    }


@pytest.fixture
def band_seed(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "amount_bands.csv").write_text("tier_code,lower_bound,upper_bound\n")
    return {
        "resource_type": "seed",
        "name": "amount_bands",
        "alias": "amount_bands",
        "schema": "seeds",
        "database": "warehouse",
        "root_path": str(tmp_path),
        "original_file_path": "seeds/amount_bands.csv",
        "columns": {},
    }


def manifest(*nodes):
    return {"nodes": {f"{n['resource_type']}.t.{n['name']}": n for n in nodes}}


TXN = 'from "warehouse"."raw"."transactions" as t'


def test_a_column_below_its_input_class_is_reported_with_the_input():
    m = manifest(
        model(
            "spend",
            f"select t.customer_id, t.amount as spent {TXN}",
            {"customer_id": "C", "spent": "C"},
        )
    )
    assert inheritance_problems(m) == [
        "spend.spent: class C is below its input(s) raw.transactions.amount (B); no declassifier"
    ]


def test_the_class_of_an_input_flows_through_ctes_and_expressions():
    sql = (
        "with x as (select customer_id, amount * 2 as doubled " + TXN + ") "
        "select customer_id, round(doubled, 0) || ' CNY' as shown from x"
    )
    m = manifest(model("shown", sql, {"customer_id": "C", "shown": "C"}))
    assert [p.split(":")[0] for p in inheritance_problems(m)] == ["shown.shown"]
    m = manifest(model("shown", sql, {"customer_id": "C", "shown": "B"}))
    assert inheritance_problems(m) == []


def test_a_model_input_has_the_class_its_yml_gives():
    upstream = model(
        "int_x",
        f"select t.customer_id, t.amount {TXN}",
        {"customer_id": "C", "amount": "B"},
        schema="intermediate",
    )
    down = model(
        "mart_x",
        'select customer_id, amount as copied from "warehouse"."intermediate"."int_x"',
        {"customer_id": "C", "copied": "C"},
    )
    problems = inheritance_problems(manifest(upstream, down))
    assert problems == [
        "mart_x.copied: class C is below its input(s) intermediate.int_x.amount (B)"
        "; no declassifier"
    ]


def test_a_band_looked_up_from_a_seed_is_class_c_and_a_declared_band_needs_a_seed(band_seed):
    joined = (
        f'select t.customer_id, b.tier_code {TXN} join "warehouse"."seeds"."amount_bands" b '
        "on t.amount >= b.lower_bound and t.amount < b.upper_bound"
    )
    assert (
        inheritance_problems(
            manifest(band_seed, model("tier", joined, {"customer_id": "C", "tier_code": "C"}))
        )
        == []
    )
    # points chosen from the amount itself need the band declassifier and a seed input
    mixed = (
        f"select t.customer_id, coalesce(b.tier_code, t.amount::varchar) as tier_code {TXN} "
        'left join "warehouse"."seeds"."amount_bands" b on t.amount >= b.lower_bound'
    )
    declared = {"info_class": "C", "declassifier": "band"}
    assert (
        inheritance_problems(
            manifest(band_seed, model("tier", mixed, {"customer_id": "C", "tier_code": declared}))
        )
        == []
    )
    literal = (
        "select t.customer_id, case when t.amount > 10 then 'HIGH' else t.transaction_type end"
        f" as tier_code {TXN}"
    )
    assert inheritance_problems(
        manifest(band_seed, model("tier", literal, {"customer_id": "C", "tier_code": declared}))
    ) == [
        "tier.tier_code: class C is below its input(s) raw.transactions.amount (B)"
        "; declassifier 'band' but no input is a seed column"
    ]


def test_the_aggregate_declassifier_holds_only_in_an_aggregate_table():
    agg = {"info_class": "C", "declassifier": "aggregate"}
    sql = (
        "select t.transaction_type, count(distinct t.customer_id) as customer_count,"
        f" sum(t.amount) as total {TXN} group by 1"
    )
    ok = model("by_type", sql, {"transaction_type": "C", "customer_count": "C", "total": agg})
    assert inheritance_problems(manifest(ok)) == []
    per_customer = model(
        "by_customer",
        f"select t.customer_id, sum(t.amount) as total {TXN} group by 1",
        {"customer_id": "C", "total": agg},
    )
    assert inheritance_problems(manifest(per_customer)) == [
        "by_customer.total: class C is below its input(s) raw.transactions.amount (B)"
        "; declassifier 'aggregate' outside an aggregate table (customer_count, no customer_id)"
    ]
    unknown = model(
        "by_customer",
        f"select t.customer_id, t.amount as total {TXN}",
        {"customer_id": "C", "total": {"info_class": "C", "declassifier": "rounding"}},
    )
    assert (
        "unknown declassifier 'rounding' (known: band, aggregate)"
        in inheritance_problems(manifest(unknown))[0]
    )


def test_class_a_reaches_the_warehouse_only_as_a_class_b_token():
    classes = source_classes()[("raw", "customers")]
    assert classes["full_name_token"] == classes["national_id_token"] == "B"
    assert "full_name" not in classes and "national_id" not in classes
    sql = 'select c.customer_id, c.phone_token from "warehouse"."raw"."customers" as c'
    assert inheritance_problems(
        manifest(model("contacts", sql, {"customer_id": "C", "phone_token": "C"}))
    ) == [
        "contacts.phone_token: class C is below its input(s) raw.customers.phone_token (B)"
        "; no declassifier"
    ]
    assert (
        inheritance_problems(
            manifest(model("contacts", sql, {"customer_id": "C", "phone_token": "B"}))
        )
        == []
    )


def test_missing_classes_and_undocumented_models_are_reported():
    m = manifest(
        model("a", f"select t.customer_id {TXN}", {"customer_id": {"description": "x"}}),
        model("b", f"select t.customer_id {TXN}", {}),
    )
    assert missing_classes(m) == [
        "a.customer_id: meta.info_class must be A, B or C, got None",
        "b: no documented columns, so no information classes",
    ]
    assert classification_problems(m) == missing_classes(m)


def test_an_uncompiled_or_untraceable_model_is_a_problem_not_a_pass():
    uncompiled = model("a", "", {"x": "C"})
    assert inheritance_problems(manifest(uncompiled)) == [
        "a: not compiled (run dbt compile or build first)"
    ]
    broken = model("b", "select from from where", {"x": "C"})
    assert inheritance_problems(manifest(broken))[0].startswith(
        "b: column lineage cannot be traced"
    )
