"""Accounts and their monthly average daily balances."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from contracts.landing import PRODUCT_TYPES
from orchestration.demo.arrays import dictionary, pick, zfill
from orchestration.demo.population import Population, Window, active_days


def draw_balances(rng: np.random.Generator, pop: Population, win: Window):
    """Accounts and their monthly average daily balance; also who holds insurance."""
    n, months = len(pop.ids), len(win.month_start)
    holders = np.flatnonzero(pop.has_accounts)
    richness = np.clip((np.log10(pop.wealth[holders]) - 3.5) / 3.5, 0, 1)
    k = 1 + (rng.random(len(holders)) < 0.35 + 0.3 * richness) \
          + (rng.random(len(holders)) < 0.10 + 0.35 * richness)  # fmt: skip
    acc_cust = np.repeat(holders, k)
    first_of = np.repeat(np.cumsum(k) - k, k)
    pos = np.arange(len(acc_cust)) - first_of
    main = np.where(rng.random(len(acc_cust)) < 0.9, 0, 1)  # deposit or wealth
    other = pick(rng, (10, 35, 30, 25), len(acc_cust))  # deposit, wealth, fund, insurance
    product = np.where(pos == 0, main, other)
    share = rng.gamma(1.5, 1.0, len(acc_cust)) * np.where(pos == 0, 1.5, 1.0)
    share /= np.bincount(acc_cust, weights=share, minlength=n)[acc_cust]

    # per-customer random walk anchored at the current wealth in the last month
    drift = rng.normal(0, 0.03, n)
    walk = np.cumsum(rng.normal(drift[:, None], 0.08, (n, months)), axis=1)
    walk -= walk[:, -1:]
    _, days = active_days(pop, win)
    acc_idx, month = np.nonzero(days[acc_cust] > 0)
    cust = acc_cust[acc_idx]
    noise = rng.normal(0, 0.1, len(acc_idx))
    balance = pop.wealth[cust] * share[acc_idx] * np.exp(walk[cust, month] + noise)

    order = np.lexsort((acc_idx, month, cust))
    acc_width = max(7, len(str(len(acc_cust))))
    table = pa.table({
        "customer_id": dictionary(cust[order], pop.ids),
        "month": dictionary(month[order], win.labels),
        "avg_daily_balance": pa.array(np.rint(balance[order] * 100).astype(np.int64)),
        # one string per account, not per row: 1.5M ids instead of 18M at 1M customers
        "account_id": dictionary(
            acc_idx[order], np.char.add("A", zfill(np.arange(1, len(acc_cust) + 1), acc_width))
        ),
        "product_type": dictionary(product[acc_idx[order]], PRODUCT_TYPES),
    })  # fmt: skip
    # policies without a cash value (term life, health, property) hold no balance
    insured = rng.random(n) < 0.2
    insured[acc_cust[product == PRODUCT_TYPES.index("insurance")]] = True
    return table, insured
