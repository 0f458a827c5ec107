"""Transactions, one table per calendar month of the window, drawn block by block.

A bank's year of transactions does not fit in memory, so the customers are cut into
blocks (``BLOCK_CUSTOMERS`` each) and each block's transactions are drawn, ordered by
time and handed to the writer before the next block is drawn: memory is bounded by
one block, whatever the number of customers.

Block 0 draws from the transactions stream of the seed itself, exactly as the
generator did before it streamed, so a population that fits in one block (the demo
size) gives the same bytes as before; block k > 0 draws from the k-th child of that
stream. Transaction ids count on from one block to the next (in time order within a
block), so they are unique across blocks; their width (at least 8 digits) is that of
the total, which a first pass over the blocks' Poisson counts gives without drawing
anything else.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from contracts.landing import TRANSACTION_TYPES
from orchestration.demo.arrays import dictionary, pick, pick_by_row, to_cents, zfill
from orchestration.demo.population import WEALTH_MEDIAN, Population, Window, active_days
from orchestration.demo.vocabulary import (
    CHANNEL_W,
    CHANNELS,
    HOUR_W,
    PRODUCT_LINE_W,
    PRODUCT_LINES,
    SEASON,
    TX_PROFILE,
)

#: customers per block: about 5M transactions (~1 GB of numpy arrays) over 12 months.
BLOCK_CUSTOMERS = 50_000


def transaction_blocks(
    seq: np.random.SeedSequence,
    pop: Population,
    insured: np.ndarray,
    win: Window,
    block_customers: int = BLOCK_CUSTOMERS,
) -> Iterator[list[pa.Table]]:
    """The transactions of each block of ``block_customers`` customers in turn, as one
    table per month of the window (rows in time order)."""
    blocks = [
        slice(start, start + block_customers) for start in range(0, len(pop.ids), block_customers)
    ]
    total = sum(
        int(_counts(_block_rng(seq, k), pop.block(b), insured[b], win).sum())
        for k, b in enumerate(blocks)
    )
    width = max(8, len(str(total)))
    next_id = 1
    for k, b in enumerate(blocks):
        rng = _block_rng(seq, k)
        counts = _counts(rng, pop.block(b), insured[b], win)
        tables = _rows(rng, pop.block(b), win, counts, next_id, width)
        next_id += sum(t.num_rows for t in tables)
        yield tables


def _block_rng(seq: np.random.SeedSequence, k: int) -> np.random.Generator:
    """Block 0: the stream itself (the bytes of a one-block run do not change); block
    k: its k-th child."""
    if k == 0:
        return np.random.default_rng(seq)
    return np.random.default_rng(np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, k)))


def _counts(
    rng: np.random.Generator, pop: Population, insured: np.ndarray, win: Window
) -> np.ndarray:
    """Poisson number of transactions per (customer, month, type): the first draw of a
    block, so the first pass can count them without drawing the rows."""
    n = len(pop.ids)
    t = {name: i for i, name in enumerate(TRANSACTION_TYPES)}
    w = np.tile(np.array([p[0] for p in TX_PROFILE.values()]), (n, 1))
    w[:, t["premium"]] *= np.where(insured, 1.6, 0.05)
    w[:, t["claim"]] *= np.where(insured, 1.6, 0.02)
    w[:, t["card_spend"]] *= pop.has_card
    no_acc = ~pop.has_accounts
    for name in ("deposit", "withdrawal", "fee_business"):
        w[:, t[name]] *= np.where(no_acc, 0.0, 1.0)
    w[:, t["fee_business"]] *= np.clip(pop.wealth / 1e5, 0.3, 3.0) ** 0.5
    w /= w.sum(1, keepdims=True)

    _, days = active_days(pop, win)
    cal_month = win.month_start.astype("datetime64[M]").astype(np.int64) % 12
    rate = pop.activity[:, None] * np.array(SEASON)[cal_month][None, :] * (days / win.month_days)
    return rng.poisson(rate[:, :, None] * w[:, None, :])


def _rows(
    rng: np.random.Generator,
    pop: Population,
    win: Window,
    counts: np.ndarray,
    first_id: int,
    width: int,
) -> list[pa.Table]:
    """The rows behind ``counts``, one table per month, ids from ``first_id`` on."""
    months = len(win.month_start)
    first, days = active_days(pop, win)
    flat = counts.ravel()
    nz = np.flatnonzero(flat)
    reps = flat[nz]
    cust = np.repeat(nz // (months * len(TRANSACTION_TYPES)), reps)
    month = np.repeat((nz // len(TRANSACTION_TYPES)) % months, reps)
    ttype = np.repeat(nz % len(TRANSACTION_TYPES), reps).astype(np.int8)
    total = len(cust)

    day = first[cust, month] + (rng.random(total) * days[cust, month]).astype(np.int64)
    second = pick(rng, HOUR_W, total) * 3600 + rng.integers(0, 3600, total)
    ts = day.astype("datetime64[s]") + second

    median, sigma, elastic = (np.array([p[i] for p in TX_PROFILE.values()]) for i in (1, 2, 3))
    scale = np.where(pop.corporate, 3.0, 1.0)[cust]
    amount = (median[ttype] * scale * (pop.wealth[cust] / WEALTH_MEDIAN) ** elastic[ttype]
              * np.exp(sigma[ttype] * rng.standard_normal(total)))  # fmt: skip
    cents = to_cents(np.minimum(amount, 5e7))
    channel = pick_by_row(rng, np.array(list(CHANNEL_W.values()), float), ttype)
    line = pick_by_row(rng, np.array(list(PRODUCT_LINE_W.values()), float), ttype)

    order = np.argsort(ts, kind="stable")
    ids = np.arange(first_id, first_id + total)
    cuts = np.searchsorted(ts[order], win.month_start.astype("datetime64[s]"))
    cuts = np.append(cuts, total)
    tables = []
    for m in range(months):
        sel = order[cuts[m] : cuts[m + 1]]
        tables.append(pa.table({
            "transaction_id": pa.array(np.char.add("T", zfill(ids[cuts[m] : cuts[m + 1]],
                                                               width))),
            "customer_id": dictionary(cust[sel], pop.ids),
            "transaction_ts": pa.array(ts[sel], pa.timestamp("s")),
            "transaction_type": dictionary(ttype[sel], TRANSACTION_TYPES),
            "amount": pa.array(cents[sel]),
            "currency": dictionary(np.zeros(len(sel), np.int8), ("CNY",)),
            "channel": dictionary(channel[sel], CHANNELS),
            "product_line": dictionary(line[sel], PRODUCT_LINES),
        }))  # fmt: skip
    return tables
