"""Class A tokens: HMAC-SHA-256 of the trimmed value under the ``pii`` key.

A token joins and counts like the value it stands for (same value, same token
within one key) but cannot be recomputed without the key, so enumerating national
IDs or the mobile number space against the warehouse gives nothing. Ingest
tokenises class A columns as it loads them (:func:`register` makes the function
available to its SQL as ``tiering_token(varchar)``); the clear value goes to the
vault only. NULL and blank values have no token.
"""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import pyarrow as pa

#: the SQL name of the token function on an ingest connection.
SQL_FUNCTION = "tiering_token"


def token(key: bytes, value: object) -> str | None:
    """64 hex characters, or None for a null / blank value."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def register(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Make ``tiering_token(varchar) -> varchar`` available on ``con``.

    The key stays in this closure: it is not a DuckDB setting or variable that SQL
    could read back.
    """

    def _tokens(values: pa.Array) -> pa.Array:
        return pa.array([token(key, v) for v in values.to_pylist()], type=pa.string())

    con.create_function(
        SQL_FUNCTION,
        _tokens,
        [duckdb.sqltypes.VARCHAR],
        duckdb.sqltypes.VARCHAR,
        type="arrow",
        null_handling="special",
        side_effects=False,
    )
