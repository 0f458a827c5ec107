"""Small numpy / pyarrow helpers shared by the source generators."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def pick(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    """``size`` indices into ``weights``, drawn with probability proportional to them."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def pick_by_row(rng: np.random.Generator, table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One category per element, drawn from the distribution ``table[rows[i]]``."""
    out = np.zeros(len(rows), dtype=np.int8)
    for r in range(table.shape[0]):  # one vectorised draw per distribution
        sel = np.flatnonzero(rows == r)
        if len(sel):
            out[sel] = pick(rng, table[r], len(sel))
    return out


def to_cents(x: np.ndarray) -> np.ndarray:
    """CNY amounts as int64 cents, rounded and at least one cent."""
    return np.maximum(np.rint(np.asarray(x, dtype=float) * 100), 1).astype(np.int64)


def dictionary(codes: np.ndarray, values) -> pa.DictionaryArray:
    """Arrow dictionary array: ``values[codes[i]]`` per element."""
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32)), pa.array(list(values), pa.string())
    )


def nullable(values, mask: np.ndarray, type_: pa.DataType | None = None) -> pa.Array:
    """Arrow array with nulls where ``mask`` is True."""
    return pa.array(values, type=type_, mask=np.asarray(mask, dtype=bool))


def zfill(numbers: np.ndarray, width: int) -> np.ndarray:
    """Non-negative ints as zero-padded decimal strings of at least ``width`` digits.

    Converted to strings of the needed length only (not numpy's default 21 characters
    of an int64): 18M account ids would otherwise take 1.5 GB for a moment."""
    numbers = np.asarray(numbers).astype(np.int64)
    if not numbers.size:  # (np.char.zfill fails on an empty array)
        return np.array([], dtype=f"U{width}")
    digits = len(str(int(numbers.max())))
    return np.char.zfill(numbers.astype(f"U{max(digits, width)}"), width)
