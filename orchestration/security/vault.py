"""The vault: the only place clear class A values exist after the landing folder.

``$TIERING_HOME/vault/vault.duckdb``, encrypted with the ``vault`` key, holds

- ``token_values``: token -> clear value (with the column it came from);
- ``customer_tokens``: the latest token of each class A column of each customer.

Ingest writes it (before committing the warehouse, so every token in the warehouse
has its value here); ``tiering access reveal`` reads it for one customer, under an
active class A grant, and the access log records the lookup. The publication gate
attaches it read-only to prove none of its values reached a published table.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from orchestration.security.keys import KeyStore
from orchestration.security.stores import open_store
from orchestration.settings import Paths

DDL = """
create table if not exists token_values (
  token varchar primary key, column_name varchar not null, value varchar not null,
  first_run_id varchar, first_seen_at timestamp default current_timestamp);
create table if not exists customer_tokens (
  customer_id varchar not null, column_name varchar not null, token varchar not null,
  run_id varchar, primary key (customer_id, column_name));
"""


def _open(paths: Paths, *, read_only: bool = False):
    key = KeyStore(paths.home).text("vault")
    return open_store(paths.vault, key, alias="vault", read_only=read_only)


def store(paths: Paths, values: pa.Table, customer_tokens: pa.Table | None, run_id: str) -> int:
    """Keep (column_name, token, value) rows and, for customers, (customer_id,
    column_name, token); return the number of new values."""
    paths.vault.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _open(paths) as con:
        con.execute(DDL)
        con.register("_values", values)
        before = con.execute("select count(*) from token_values").fetchone()[0]
        con.execute(
            "insert or ignore into token_values (token, column_name, value, first_run_id) "
            "select distinct on (token) token, column_name, value, ? from _values "
            "where token is not null",
            [run_id],
        )
        added = con.execute("select count(*) from token_values").fetchone()[0] - before
        if customer_tokens is not None and customer_tokens.num_rows:
            con.register("_customers", customer_tokens)
            con.execute(
                "insert or replace into customer_tokens "
                "select distinct on (customer_id, column_name) customer_id, column_name, "
                "token, ? from _customers where token is not null",
                [run_id],
            )
    return added


def reveal(paths: Paths, customer_id: str) -> dict[str, str]:
    """Clear class A values of one customer (column -> value); KeyError when the
    vault knows no such customer. The caller checks the grant and logs the lookup."""
    if not Path(paths.vault).exists():
        raise KeyError(customer_id)
    with _open(paths, read_only=True) as con:
        rows = con.execute(
            "select c.column_name, v.value from customer_tokens c "
            "join token_values v using (token) where c.customer_id = ? order by 1",
            [customer_id],
        ).fetchall()
    if not rows:
        raise KeyError(customer_id)
    return dict(rows)
