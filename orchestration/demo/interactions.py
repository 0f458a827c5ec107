"""Surveys, complaints, referrals, calls and visits."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from contracts.landing import CALL_OUTCOMES, INTERACTION_TYPES
from orchestration.demo.arrays import dictionary, nullable, pick, pick_by_row
from orchestration.demo.population import Population, Window
from orchestration.demo.vocabulary import CALL_ATTITUDES, CALL_NOTES, INTERACTION_W, NOTES


def draw_interactions(rng: np.random.Generator, pop: Population, win: Window) -> pa.Table:
    n = len(pop.ids)
    first = np.maximum(win.start, pop.onboarded)
    span = (win.as_of - first).astype(np.int64) + 1
    months = len(win.month_start)
    lam = rng.gamma(1.5, 1 / 1.5, n) * 2.4 * months / 12 * (span / (months * 30.4))
    counts = rng.poisson(np.where(pop.corporate, 1.5, 1.0) * lam)
    c = np.repeat(np.arange(n), counts)
    m = len(c)
    day = first[c] + (rng.random(m) * span[c]).astype(np.int64)
    second = rng.integers(8 * 3600, 20 * 3600, m)
    ts = day.astype("datetime64[s]") + second
    itype = pick(rng, INTERACTION_W, m)

    # the key (customer_id, interaction_ts, interaction_type) must be unique
    order = np.lexsort((itype, c, ts))
    c, ts, itype = c[order], ts[order], itype[order]
    dup = np.zeros(m, dtype=bool)
    dup[1:] = (c[1:] == c[:-1]) & (ts[1:] == ts[:-1]) & (itype[1:] == itype[:-1])
    c, ts, itype = c[~dup], ts[~dup], itype[~dup]
    m = len(c)

    kind = {name: itype == i for i, name in enumerate(INTERACTION_TYPES)}
    score = pick(rng, (4, 6, 15, 40, 35), m) + 1
    scored = kind["survey"] | (kind["visit"] & (rng.random(m) < 0.4))
    resolved = rng.random(m) < 0.78
    attitude = pick(rng, [a[1] for a in CALL_ATTITUDES], n)  # per customer
    outcome = pick_by_row(rng, np.array([a[2] for a in CALL_ATTITUDES], float), attitude[c])

    notes = np.full(m, "", dtype=object)
    for name, texts in NOTES.items():
        sel = np.flatnonzero(kind[name])
        notes[sel] = np.array(texts, dtype=object)[rng.integers(0, len(texts), len(sel))]
    notes[kind["call"]] = np.array(CALL_NOTES, dtype=object)[outcome[kind["call"]]]
    no_note = rng.random(m) < 0.15
    return pa.table({
        "customer_id": dictionary(c, pop.ids),
        "interaction_ts": pa.array(ts, pa.timestamp("s")),
        "interaction_type": dictionary(itype, INTERACTION_TYPES),
        "satisfaction_score": nullable(score, ~scored, pa.int16()),
        "complaint_resolved": nullable(resolved, ~kind["complaint"], pa.bool_()),
        "call_outcome": pa.DictionaryArray.from_arrays(
            nullable(outcome.astype(np.int32), ~kind["call"], pa.int32()),
            pa.array(CALL_OUTCOMES),
        ),
        "notes": nullable(notes, no_note, pa.string()),
    })  # fmt: skip
