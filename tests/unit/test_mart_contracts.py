"""Published-table schemas derived from dbt model contracts (contracts.marts)."""

import ibis
import pandera.ibis as pa
import pytest
from pandera.errors import SchemaErrors

from contracts.marts import ContractError, mart_schemas


def node(name, columns, layer="tiers", enforced=True):
    return {
        "resource_type": "model",
        "name": name,
        "fqn": ["tiering", layer, name],
        "schema": "marts",
        "description": "",
        "config": {"contract": {"enforced": enforced}},
        "columns": columns,
    }


def col(data_type, info_class="C", not_null=False, **meta):
    return {
        "data_type": data_type,
        "meta": {"info_class": info_class, **meta},
        "constraints": [{"type": "not_null"}] if not_null else [],
        "description": "",
    }


def manifest(*nodes):
    return {"nodes": {f"model.tiering.{n['name']}": n for n in nodes}}


def test_schema_follows_the_contract_types_nulls_and_ranges():
    schemas = mart_schemas(
        manifest(
            node(
                "t",
                {
                    "customer_id": col("varchar", not_null=True),
                    "score": col("decimal(5,2)", "B", range=[0, 100]),
                    "n": col("integer", range=[0, None]),
                },
            ),
            node("staging_model", {"x": col("varchar", "A")}, layer="staging"),
        )
    )
    assert list(schemas) == ["t"]  # only the published layers
    schema = schemas["t"]
    assert schema.name == "marts.t" and schema.strict
    # NOT NULL is DuckDB's to enforce (the contract creates the column NOT NULL)
    assert all(c.nullable for c in schema.columns.values())
    good = ibis.memtable({"customer_id": ["a"], "score": [50.5], "n": [3]}).cast(
        {"customer_id": "string", "score": "decimal(5,2)", "n": "int32"}
    )
    schema.validate(good)
    bad = ibis.memtable({"customer_id": ["a", "b"], "score": [50.5, 100.5], "n": [3, -1]}).cast(
        {"customer_id": "string", "score": "decimal(5,2)", "n": "int32"}
    )
    with pytest.raises(SchemaErrors) as info:
        schema.validate(bad, lazy=True)
    checks = set(info.value.failure_cases["check"])
    assert {"in_range(0, 100)", "greater_than_or_equal_to(0)"} <= checks


def test_a_class_a_column_in_a_published_model_is_refused():
    with pytest.raises(ContractError, match=r"t\.national_id: class A column"):
        mart_schemas(manifest(node("t", {"national_id": col("varchar", "A")})))


@pytest.mark.parametrize(
    ("columns", "enforced", "message"),
    [
        ({"x": col("varchar", None)}, True, r"t\.x: meta.info_class must be A, B or C"),
        ({"x": col(None)}, True, r"t\.x: no data_type"),
        ({"x": col("integer", range=[1])}, True, r"t\.x: meta.range must be \[low, high\]"),
        ({"x": col("integer")}, False, r"t: published models must have an enforced contract"),
    ],
)
def test_incomplete_contracts_are_refused_with_the_model_and_column(columns, enforced, message):
    with pytest.raises(ContractError, match=message):
        mart_schemas(manifest(node("t", columns, enforced=enforced)))


def test_range_with_one_open_side():
    schemas = mart_schemas(manifest(node("t", {"x": col("integer", range=[None, 9])})))
    check = schemas["t"].columns["x"].checks[0]
    assert isinstance(check, pa.Check) and check.name == "less_than_or_equal_to"
