"""Tier and mart contracts: pandera (ibis backend) schemas derived from the dbt manifest.

dbt owns these tables: the yml of each model is its contract (column names, types,
``not_null`` constraints, tests, ``meta.info_class``), enforced when dbt builds it.
So nothing is typed twice here. From the parsed manifest this module derives, per
contract-enforced model of the ``tiers`` and ``marts`` folders, a pandera schema
that checks in DuckDB, after the build and before publication:

- exactly the contract's columns, with its types (a table changed behind dbt's
  back is caught);
- the bounds of a column's ``meta.range: [low, high]`` (either may be null), the
  figure checks dbt has no built-in test for;
- no column of class A (``meta.info_class: A``) in a published table: refused when
  the schemas are built, so such a model cannot even be loaded.

``not_null`` is not checked again: the enforced contract creates the table with
``NOT NULL`` columns, so DuckDB itself refuses a NULL there. Tier codes are not
listed here either: dbt's generic ``tier_table`` test checks them
against the band seeds, so adding a band to a seed changes nothing in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandera.ibis as pa
from ibis.backends.sql.datatypes import DuckDBType

#: dbt folders whose models are published (their schema is ``marts``).
PUBLISHED_LAYERS: tuple[str, ...] = ("tiers", "marts")


class ContractError(ValueError):
    """A model's yml contract cannot be turned into a published-table schema."""


def _range_checks(model: str, column: str, bounds: Any) -> list[pa.Check]:
    if bounds is None:
        return []
    if not isinstance(bounds, list | tuple) or len(bounds) != 2:
        raise ContractError(f"{model}.{column}: meta.range must be [low, high], got {bounds!r}")
    low, high = bounds
    if low is not None and high is not None:
        return [pa.Check.in_range(low, high)]
    if low is not None:
        return [pa.Check.ge(low)]
    if high is not None:
        return [pa.Check.le(high)]
    return []


def _column(model: str, name: str, spec: Mapping[str, Any]) -> pa.Column:
    meta = spec.get("meta") or {}
    info_class = meta.get("info_class")
    if info_class == "A":
        raise ContractError(
            f"{model}.{name}: class A column in a published table; class A "
            "values are tokenised in staging and never published"
        )
    if info_class not in ("B", "C"):
        raise ContractError(
            f"{model}.{name}: meta.info_class must be A, B or C, got {info_class!r}"
        )
    if not spec.get("data_type"):
        raise ContractError(f"{model}.{name}: no data_type in the contract")
    return pa.Column(
        DuckDBType.from_string(spec["data_type"]),
        _range_checks(model, name, meta.get("range")),
        nullable=True,  # NOT NULL is enforced by DuckDB (the contract's constraint)
        description=spec.get("description") or None,
    )


def published_models(
    manifest: Mapping[str, Any], layers: Iterable[str] = PUBLISHED_LAYERS
) -> list[dict[str, Any]]:
    """The model nodes of the published layers, by name."""
    wanted = set(layers)
    nodes = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["fqn"][1] in wanted
    ]
    return sorted(nodes, key=lambda n: n["name"])


def model_schema(node: Mapping[str, Any]) -> pa.DataFrameSchema:
    name = node["name"]
    if not node["config"].get("contract", {}).get("enforced"):
        raise ContractError(f"{name}: published models must have an enforced contract")
    columns = {col: _column(name, col, spec) for col, spec in node["columns"].items()}
    return pa.DataFrameSchema(
        columns,
        name=f"{node['schema']}.{name}",
        strict=True,
        description=node.get("description") or None,
    )


def mart_schemas(manifest: Mapping[str, Any]) -> dict[str, pa.DataFrameSchema]:
    """``{model name: schema}`` of every published model of ``manifest``."""
    return {node["name"]: model_schema(node) for node in published_models(manifest)}
