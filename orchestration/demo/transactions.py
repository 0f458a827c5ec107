"""Transactions, one table per calendar month of the window."""

from __future__ import annotations

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


def draw_transactions(
    rng: np.random.Generator, pop: Population, insured: np.ndarray, win: Window
) -> tuple[list[pa.Table], int]:
    n, months = len(pop.ids), len(win.month_start)
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

    first, days = active_days(pop, win)
    cal_month = win.month_start.astype("datetime64[M]").astype(np.int64) % 12
    rate = pop.activity[:, None] * np.array(SEASON)[cal_month][None, :] * (days / win.month_days)
    counts = rng.poisson(rate[:, :, None] * w[:, None, :])  # (customer, month, type)

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
    width = max(8, len(str(total)))
    ids = np.arange(1, total + 1)
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
    return tables, total
