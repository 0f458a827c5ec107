"""Column information classes: every column has one, and none is lower than its inputs.

The source requirements (客户信息分级授权管理制度) class customer information A
(strictly confidential), B (confidential) or C (general). Every column of every
source and model carries its class:

- landing and raw columns in the landing contract (``contracts.landing.Col.info_class``);
  a class A column reaches the warehouse only as its HMAC token, which is class B
  (the **token** declassifier, applied at ingest); the lineage columns and
  ``raw.source_manifest`` are class C;
- seeds are rule tables (bands, weights, labels): class C unless their yml says
  otherwise;
- models in their yml, ``meta.info_class``.

:func:`classification_problems` checks the compiled dbt project (a
``manifest.json`` written by ``dbt build`` or ``dbt compile``):

1. **complete**: every column of every model has class A, B or C, and every model
   documents its columns;
2. **inherited**: a column's class is at least the highest class of the columns its
   value is computed from (column-level lineage of the compiled SQL, with sqlglot),
   unless the column names a declassifier in ``meta.declassifier`` and the
   declassifier applies (:data:`DECLASSIFIERS`).

Column lineage follows the select expressions: a column that only *joins* on a
value (a tier code looked up from a band seed by an amount) is computed from the
seed, which is what banding means. A tier kit expression that bands with literals
would carry the amount's class and be reported.

Run ``python -m orchestration.security.classification <manifest.json>`` to print the
problems (exit status 1 when there are some); the test suite runs it on every change.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.lineage import lineage
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import build_scope

from contracts.landing import LINEAGE_COLUMNS, SOURCE_MANIFEST_COLUMNS, SOURCES

CLASSES: tuple[str, ...] = ("A", "B", "C")
CLASS_RANK: dict[str, int] = {"C": 0, "B": 1, "A": 2}
#: the declassifiers a column may name in ``meta.declassifier``, and when each applies.
DECLASSIFIERS: dict[str, str] = {
    "band": "the value is read from a rule seed (a tier code, label, rank or points of a"
    " band): at least one of the column's inputs is a seed column",
    "aggregate": "the column belongs to an aggregate table (no customer_id, a"
    " customer_count); publication leaves out its rows over fewer than K customers",
}
#: the class of a token of a class A value (HMAC-SHA-256, key ``pii``).
TOKEN_CLASS = "B"
#: the class of a seed column whose yml says nothing (seeds hold rules, not customers).
SEED_CLASS = "C"
DIALECT = "duckdb"

Relation = tuple[str, str]  # (schema, table), lower case


def source_classes() -> dict[Relation, dict[str, str]]:
    """Columns of the ``raw`` tables dbt reads, with their classes."""
    out: dict[Relation, dict[str, str]] = {}
    for name, source in SOURCES.items():
        cols = {
            c.stored_name: TOKEN_CLASS if c.info_class == "A" else c.info_class
            for c in source.columns
        }
        cols.update({col: "C" for col, _ in LINEAGE_COLUMNS})
        out[("raw", name)] = cols
    out[("raw", "source_manifest")] = {col: "C" for col, _ in SOURCE_MANIFEST_COLUMNS}
    return out


def _meta(spec: Mapping[str, Any]) -> dict[str, Any]:
    return dict(spec.get("meta") or (spec.get("config") or {}).get("meta") or {})


def _seed_classes(node: Mapping[str, Any]) -> dict[str, str]:
    declared = {
        name: str(_meta(spec).get("info_class", SEED_CLASS))
        for name, spec in (node.get("columns") or {}).items()
    }
    path = Path(node["root_path"]) / node["original_file_path"]
    with path.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f), [])
    return {col: declared.get(col, SEED_CLASS) for col in header}


def _models(manifest: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def relation_classes(manifest: Mapping[str, Any]) -> dict[Relation, dict[str, str | None]]:
    """Every relation the models read or are, column -> class (None when missing)."""
    out: dict[Relation, dict[str, str | None]] = dict(source_classes())
    for node in manifest["nodes"].values():
        key = (node.get("schema", "").lower(), (node.get("alias") or node["name"]).lower())
        if node["resource_type"] == "seed":
            out[key] = dict(_seed_classes(node))
        elif node["resource_type"] == "model":
            out[key] = {
                name: _meta(spec).get("info_class") for name, spec in node["columns"].items()
            }
    return out


def missing_classes(manifest: Mapping[str, Any]) -> list[str]:
    """Model columns without a class A/B/C, and models without documented columns."""
    problems = []
    for node in sorted(_models(manifest), key=lambda n: n["name"]):
        if not node["columns"]:
            problems.append(f"{node['name']}: no documented columns, so no information classes")
        for name, spec in node["columns"].items():
            info_class = _meta(spec).get("info_class")
            if info_class not in CLASSES:
                problems.append(
                    f"{node['name']}.{name}: meta.info_class must be A, B or C, got {info_class!r}"
                )
    return problems


def _sqlglot_schema(relations: Mapping[Relation, Mapping[str, Any]], catalog: str) -> dict:
    schema: dict[str, dict[str, dict[str, str]]] = {}
    for (db, table), cols in relations.items():
        if not cols:
            continue  # an undocumented model is reported by missing_classes
        schema.setdefault(db, {})[table] = {col: "varchar" for col in cols}
    return {catalog: schema}


def column_inputs(
    node: Mapping[str, Any], schema: Mapping[str, Any]
) -> dict[str, set[tuple[str, str, str]]]:
    """Output column -> the (schema, table, column) of the relations its value reads."""
    tree = sqlglot.parse_one(node["compiled_code"], dialect=DIALECT)
    qualified = qualify(tree, schema=schema, dialect=DIALECT, validate_qualify_columns=False)
    inputs: dict[str, set[tuple[str, str, str]]] = {}
    # trim_selects=False: sqlglot would otherwise copy the whole query for every node
    # of every column's graph (~40 s for the project instead of ~2 s); the scope is
    # built from the tree qualified above instead of qualifying it a second time.
    graphs = lineage(
        None,
        qualified,
        schema=schema,
        dialect=DIALECT,
        scope=build_scope(qualified),
        trim_selects=False,
        copy=False,
    )
    for column, root in graphs.items():
        leaves = set()
        for n in root.walk():
            if n.downstream or not isinstance(n.source, exp.Table):
                continue
            col = exp.to_column(n.name).name if n.name else ""
            if col:
                leaves.add((n.source.db.lower(), n.source.name.lower(), col))
        inputs[column] = leaves
    return inputs


def _declassified(
    declassifier: str, node: Mapping[str, Any], leaves: set[tuple[str, str, str]], seeds: set
) -> str | None:
    """None when the declassifier applies to this column, else why not."""
    if declassifier == "band":
        if any((db, table) in seeds for db, table, _ in leaves):
            return None
        return "declassifier 'band' but no input is a seed column"
    if declassifier == "aggregate":
        cols = node["columns"]
        if "customer_id" not in cols and "customer_count" in cols:
            return None
        return (
            "declassifier 'aggregate' outside an aggregate table (customer_count, no customer_id)"
        )
    return f"unknown declassifier {declassifier!r} (known: {', '.join(DECLASSIFIERS)})"


def inheritance_problems(manifest: Mapping[str, Any]) -> list[str]:
    """Columns whose class is lower than one of their inputs, without a declassifier."""
    relations = relation_classes(manifest)
    seeds = {
        (n["schema"].lower(), (n.get("alias") or n["name"]).lower())
        for n in manifest["nodes"].values()
        if n["resource_type"] == "seed"
    }
    models = _models(manifest)
    catalog = models[0]["database"] if models else "warehouse"
    schema = _sqlglot_schema(relations, catalog)
    problems = []
    for node in sorted(models, key=lambda n: n["name"]):
        if not node.get("compiled_code"):
            problems.append(f"{node['name']}: not compiled (run dbt compile or build first)")
            continue
        try:
            inputs = column_inputs(node, schema)
        except sqlglot.errors.SqlglotError as e:
            problems.append(f"{node['name']}: column lineage cannot be traced: {e}")
            continue
        for name, spec in node["columns"].items():
            meta = _meta(spec)
            mine = meta.get("info_class")
            if mine not in CLASSES:
                continue  # reported by missing_classes
            leaves = inputs.get(name, set())
            higher = sorted(
                f"{db}.{table}.{col} ({cls})"
                for db, table, col in leaves
                if (cls := relations.get((db, table), {}).get(col)) in CLASSES
                and CLASS_RANK[cls] > CLASS_RANK[mine]
            )
            if not higher:
                continue
            declassifier = meta.get("declassifier")
            why = (
                _declassified(str(declassifier), node, leaves, seeds)
                if declassifier
                else "no declassifier"
            )
            if why:
                problems.append(
                    f"{node['name']}.{name}: class {mine} is below its input(s)"
                    f" {', '.join(higher)}; {why}"
                )
    return problems


def classification_problems(manifest: Mapping[str, Any]) -> list[str]:
    return missing_classes(manifest) + inheritance_problems(manifest)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m orchestration.security.classification <target/manifest.json>")
        return 2
    manifest = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    problems = classification_problems(manifest)
    for p in problems:
        print(p)
    print(f"{len(problems)} classification problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
