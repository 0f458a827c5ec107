"""Sales assessments of leads (quality factors and need status)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from contracts.landing import LEAD_SOURCES, NEED_STATUSES
from orchestration.demo.arrays import dictionary, nullable, pick, to_cents
from orchestration.demo.population import Population, Window
from orchestration.demo.vocabulary import LEAD_SOURCE_W, NEED_STATUS_W, RECOGNITION_W


def draw_leads(rng: np.random.Generator, pop: Population, win: Window) -> pa.Table:
    """Sales assessments of about a third of the customers, one or two per lead.

    The quality factors follow the customer's wealth (capital, prior investments,
    local relations); an explicit need carries an expected close date a few weeks to
    about a year and a half after the assessment, a latent need sometimes a far one,
    no need none.
    """
    n = len(pop.ids)
    first = np.maximum(win.start, pop.onboarded)
    span = (win.as_of - first).astype(np.int64) + 1
    who = np.flatnonzero(rng.random(n) < np.where(pop.corporate, 0.5, 0.3))
    k = 1 + (rng.random(len(who)) < 0.35)
    c = np.repeat(who, k)
    m = len(c)
    # one assessment per half of the customer's window, so two never share a date
    nth = np.arange(m) - np.repeat(np.cumsum(k) - k, k)
    half = np.maximum(span[c] // 2, 1)
    offset = np.where(
        np.repeat(k, k) == 1,
        (rng.random(m) * span[c]).astype(np.int64),
        nth * half + (rng.random(m) * half).astype(np.int64),
    )
    offset = np.minimum(offset, span[c] - 1)
    keep = np.ones(m, dtype=bool)
    keep[1:] = (c[1:] != c[:-1]) | (offset[1:] != offset[:-1])  # a one-day window
    c, offset = c[keep], offset[keep]
    m = len(c)
    captured = first[c] + offset

    wealth = pop.wealth[c]
    richness = np.clip((np.log10(wealth) - 3.5) / 3.5, 0, 1)
    same_type = rng.random(m) < 0.45
    capital = wealth * rng.uniform(0.2, 1.5, m)
    prior = np.where(same_type, wealth * rng.uniform(0.1, 1.0, m), wealth * rng.uniform(0, 0.2, m))
    need = pick(rng, NEED_STATUS_W, m)
    close_days = np.where(
        need == 0, rng.gamma(2.0, 100, m), np.where(need == 1, 180 + rng.gamma(2.0, 120, m), 0)
    )
    no_close = (need == 2) | ((need == 1) & (rng.random(m) < 0.6))
    missing = rng.random((4, m)) < 0.05  # fields the sales team left empty
    return pa.table({
        "customer_id": dictionary(c, pop.ids),
        "captured_date": pa.array(captured, pa.date32()),
        "lead_source": dictionary(pick(rng, LEAD_SOURCE_W, m), LEAD_SOURCES),
        "is_same_type": pa.array(same_type),
        "capital_amount": nullable(to_cents(capital), missing[0], pa.int64()),
        "has_local_relations": nullable(rng.random(m) < 0.25 + 0.4 * richness, missing[1],
                                         pa.bool_()),
        "main_product_is_ours": pa.array(rng.random(m) < 0.35),
        "prior_investment_amount": nullable(to_cents(prior), missing[2], pa.int64()),
        "recognition_score": nullable(pick(rng, RECOGNITION_W, m) + 1, missing[3], pa.int16()),
        "expected_close_date": nullable(captured + close_days.astype(np.int64), no_close,
                                         pa.date32()),
        "need_status": dictionary(need, NEED_STATUSES),
    })  # fmt: skip
