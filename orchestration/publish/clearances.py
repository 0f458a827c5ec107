"""What each clearance may see: columns, rows, the customer key, quasi-identifiers.

A published cell's class is the higher of its column's class (dbt
``meta.info_class``) and its row's customer class (``int_customer_info_class``,
from the seed ``customer_info_classes``). A clearance sees the cells of its
classes only:

======================  =========  =============================================
clearance               classes    rows and columns
======================  =========  =============================================
``general``             C          class C columns of class C customers; the
                                   customer key is a per-clearance HMAC pseudonym;
                                   quasi-identifier columns are dropped until
                                   every combination covers >= K customers;
                                   aggregate rows over < K customers are left out
``confidential``        B, C       B and C columns of B and C customers
``restricted``          A, B, C    every published column of every customer
======================  =========  =============================================

Class A columns are never published (refused by :mod:`contracts.marts`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.marts import published_models

CLEARANCE_CLASSES: dict[str, tuple[str, ...]] = {
    "general": ("C",),
    "confidential": ("B", "C"),
    "restricted": ("A", "B", "C"),
}
#: every combination of quasi-identifiers in the general artefact covers at least
#: this many customers; aggregate rows over fewer customers are left out.
K_ANONYMITY = 5
#: the customer key column of the published tables.
CUSTOMER_KEY = "customer_id"
#: the column that counts the customers behind an aggregate row.
AGGREGATE_COUNT = "customer_count"


@dataclass(frozen=True)
class PublishedColumn:
    name: str
    info_class: str
    data_type: str
    quasi_identifier: bool


@dataclass(frozen=True)
class PublishedTable:
    name: str
    schema: str
    columns: tuple[PublishedColumn, ...]

    @property
    def per_customer(self) -> bool:
        return any(c.name == CUSTOMER_KEY for c in self.columns)

    @property
    def aggregate(self) -> bool:
        return not self.per_customer and any(c.name == AGGREGATE_COUNT for c in self.columns)

    def visible(self, clearance: str) -> tuple[PublishedColumn, ...]:
        classes = CLEARANCE_CLASSES[clearance]
        return tuple(c for c in self.columns if c.info_class in classes and c.info_class != "A")


def published_tables(manifest: Mapping[str, Any]) -> list[PublishedTable]:
    """The published models of the manifest (only those are ever published)."""
    tables = []
    for node in published_models(manifest):
        cols = []
        for name, spec in node["columns"].items():
            meta = spec.get("meta") or {}
            cols.append(
                PublishedColumn(
                    name=name,
                    info_class=str(meta.get("info_class")),
                    data_type=str(spec.get("data_type")),
                    quasi_identifier=bool(meta.get("quasi_identifier")),
                )
            )
        tables.append(PublishedTable(node["name"], node["schema"], tuple(cols)))
    return tables


def pseudonym(key: bytes, customer_id: object) -> str | None:
    """The general clearance's customer key: HMAC-SHA-256 of the source customer
    number, in lowercase base32 (letters and the digits 2-7, so it can never look
    like a phone number or a national ID to the publication's value scan)."""
    if customer_id is None:
        return None
    digest = hmac.new(key, str(customer_id).encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()[:32]
