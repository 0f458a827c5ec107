"""Manual tier overrides: a handful of pins by relationship managers and risk officers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from orchestration.demo.arrays import dictionary, nullable
from orchestration.demo.population import Population, Window
from orchestration.demo.vocabulary import OVERRIDES

#: customers pinned are onboarded at least this long before the as-of date, so they are
#: known before the earliest override starts.
MIN_TENURE_DAYS = 180


def draw_overrides(rng: np.random.Generator, pop: Population, win: Window) -> pa.Table:
    """One override per template of ``vocabulary.OVERRIDES`` (fewer for a population with
    fewer long-standing customers), each for another customer drawn at random: in force
    on the as-of date (with an end, and until withdrawn), expired before it, and one
    starting after it, which a run of the as-of date holds back until its date."""
    eligible = np.flatnonzero(pop.onboarded <= win.as_of - MIN_TENURE_DAYS)
    if len(eligible) == 0:
        eligible = np.flatnonzero(pop.onboarded <= win.as_of)
    n = min(len(OVERRIDES), len(eligible))
    who = np.sort(rng.choice(eligible, size=n, replace=False))
    templates = OVERRIDES[:n]
    start = win.as_of + np.array([t[4] for t in templates], dtype=np.int64)
    open_ended = np.array([t[5] is None for t in templates], dtype=bool)
    until = win.as_of + np.array([t[5] or 0 for t in templates], dtype=np.int64)
    return pa.table({
        "override_id": pa.array([f"OV{i + 1:04d}" for i in range(n)]),
        "customer_id": dictionary(who, pop.ids),
        "scheme": pa.array([t[0] for t in templates]),
        "tier_code": pa.array([t[1] for t in templates]),
        "override_reason": pa.array([t[2] for t in templates]),
        "approved_by": pa.array([t[3] for t in templates]),
        "valid_from": pa.array(start, pa.date32()),
        "valid_until": nullable(until, open_ended, pa.date32()),
    })  # fmt: skip
