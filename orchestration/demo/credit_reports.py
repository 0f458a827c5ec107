"""Credit-bureau reports: score, income, debt, overdue and collateral."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from orchestration.demo.arrays import dictionary, nullable, pick, to_cents
from orchestration.demo.population import WEALTH_MEDIAN, Population, Window
from orchestration.demo.vocabulary import COLLATERAL, COLLATERAL_MEDIAN, COLLATERAL_W


def draw_credit_reports(rng: np.random.Generator, pop: Population, win: Window) -> pa.Table:
    n = len(pop.ids)
    who = np.flatnonzero(rng.random(n) < 0.6)
    span = int((win.as_of - win.start).astype(np.int64)) + 1
    k = np.minimum(pick(rng, (50, 30, 20), len(who)) + 1, min(3, span))
    seg = max(span // 3, 1)
    ranks = rng.random((len(who), 3)).argsort(1).argsort(1)  # which thirds get a report
    r_idx, third = np.nonzero(ranks < k[:, None])
    offset = np.minimum(third * seg + (rng.random(len(r_idx)) * seg).astype(np.int64), span - 1)
    # a window shorter than three days can put two reports on one day: keep the first
    keep = np.ones(len(r_idx), dtype=bool)
    keep[1:] = (r_idx[1:] != r_idx[:-1]) | (offset[1:] != offset[:-1])
    r_idx, third, offset = r_idx[keep], third[keep], offset[keep]
    report_date = win.start + offset
    c = who[r_idx]
    m = len(c)

    # per-customer base figures, one draw per report around them
    rel = np.log(pop.wealth / WEALTH_MEDIAN)
    base_score = 300 + 550 * rng.beta(5, 2, n) + np.clip(6 * rel, -30, 30)
    score = np.clip(np.rint(base_score[c] + rng.normal(0, 12, m)), 300, 850).astype(np.int64)
    income = np.exp(rng.normal(np.log(90_000) + 0.3 * rel, 0.5, n)) * np.where(
        pop.corporate, 8.0, 1.0
    )
    income = np.rint(income[c] * np.exp(rng.normal(0, 0.03, m)))
    has_debt = (rng.random(n) < 0.9)[c]
    dti = np.where(has_debt, 0.05 + 0.8 * rng.beta(2.2, 2.8, n)[c], 0.0)
    payment = dti * income / 12

    ctype = pick(rng, COLLATERAL_W, n)
    no_coll_r = (ctype == len(COLLATERAL) - 1)[c] | ~has_debt
    cvalue = (
        np.array(COLLATERAL_MEDIAN)[ctype]
        * np.exp(rng.normal(0, 0.6, n))
        * np.clip(pop.wealth / 1e6, 0.3, 5.0) ** 0.3
    )
    cvalue = cvalue[c]
    ltv = 0.3 + 0.7 * rng.beta(2, 2, n)[c] * np.exp(-0.02 * third)  # repaid over time
    unsecured = income * rng.uniform(0.2, 1.5, n)[c]
    loan = np.where(no_coll_r, unsecured, cvalue * ltv)
    no_loan = ~has_debt | (no_coll_r & (rng.random(n) < 0.4)[c])
    total_debt = np.where(has_debt, np.where(no_loan, 0, loan) + income * rng.uniform(0, 0.3, m), 0)

    overdue = rng.poisson(3.0 * np.exp(-(score - 300) / 90.0))
    dpd = np.where(overdue > 0, np.minimum(1 + rng.exponential(20, m) * overdue, 720), 0)
    return pa.table({
        "customer_id": dictionary(c, pop.ids),
        "report_date": pa.array(report_date, pa.date32()),
        "credit_score": pa.array(score),
        "annual_income": pa.array(to_cents(income)),
        "total_debt": pa.array(np.rint(total_debt * 100).astype(np.int64)),
        "monthly_debt_payment": pa.array(np.rint(payment * 100).astype(np.int64)),
        "overdue_count": pa.array(overdue.astype(np.int64)),
        "max_days_past_due": pa.array(dpd.astype(np.int64)),
        "collateral_type": nullable(np.array(COLLATERAL[:-1] + ("",))[ctype[c]], no_coll_r),
        "collateral_value": nullable(to_cents(cvalue), no_coll_r, pa.int64()),
        "loan_amount": nullable(to_cents(loan), no_loan, pa.int64()),
    })  # fmt: skip
