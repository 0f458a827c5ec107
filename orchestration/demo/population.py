"""The time window, the customers table and the per-customer traits behind every source.

``draw_customers`` writes the customers table and returns the ``Population`` the other
sources are drawn from: who is corporate, when they were onboarded, their wealth, which
products they hold and how active they are.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import pyarrow as pa

from contracts.landing import MARKET_POSITIONS
from orchestration.demo.arrays import dictionary, nullable, pick, zfill
from orchestration.demo.vocabulary import (
    COMPANY_WORDS,
    EDUCATION,
    EDUCATION_W,
    GIVEN_F,
    GIVEN_M,
    INDUSTRIES,
    MOBILE_PREFIXES,
    OCCUPATIONS,
    PROVINCES,
    RETIRED,
    SURNAMES,
)

EARLIEST_ONBOARDING = np.datetime64("2005-01-01", "D")
#: median monthly average daily assets of an ordinary customer (CNY).
WEALTH_MEDIAN = 30_000.0
#: median registered capital of a company (CNY) and of its annual revenue per unit of it.
CAPITAL_MEDIAN = 3_000_000.0
REVENUE_PER_CAPITAL = 2.0


@dataclass(frozen=True)
class Window:
    """The ``months`` calendar months ending at ``as_of`` (the last may be partial)."""

    as_of: np.datetime64  # day
    month_start: np.ndarray  # datetime64[D], one per month
    month_end: np.ndarray  # datetime64[D], exclusive, capped at as_of + 1
    month_days: np.ndarray  # calendar length of each month (a partial month counts in full)

    @property
    def start(self) -> np.datetime64:
        return self.month_start[0]

    @property
    def labels(self) -> list[str]:
        return [str(m)[:7] for m in self.month_start]

    @classmethod
    def ending(cls, as_of: date, months: int) -> Window:
        """The window of ``months`` calendar months whose last one holds ``as_of``."""
        last = np.datetime64(as_of, "M")
        starts = last - np.arange(months - 1, -2, -1)  # months + 1 month boundaries
        bounds = starts.astype("datetime64[D]")
        day = np.datetime64(as_of, "D")
        return cls(
            day, bounds[:-1], np.minimum(bounds[1:], day + 1), np.diff(bounds).astype(np.int64)
        )

    @classmethod
    def one_day(cls, day: date) -> Window:
        """The window of the single day ``day``: the transactions of a nightly delivery
        (a month's activity scaled to the one day)."""
        month = np.datetime64(day, "M")
        length = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(
            np.int64
        )
        start = np.datetime64(day, "D")
        return cls(start, np.array([start]), np.array([start + 1]), np.array([length]))


@dataclass
class Population:
    """Per-customer latent traits the other sources are drawn from."""

    ids: np.ndarray  # customer_id strings
    corporate: np.ndarray  # bool
    onboarded: np.ndarray  # datetime64[D]
    wealth: np.ndarray  # current total assets (CNY)
    has_accounts: np.ndarray  # bool
    has_card: np.ndarray  # bool
    dormant: np.ndarray  # bool: no accounts, no card, no fee business (star points 0)
    activity: np.ndarray  # expected transactions per month

    def block(self, rows: slice) -> Population:
        """The customers ``rows`` (a block the transactions are drawn for)."""
        return Population(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


# --------------------------------------------------------------------------- customers
def _birth_dates(rng: np.random.Generator, n: int) -> np.ndarray:
    year = np.clip(np.rint(rng.normal(1979, 12, n)), 1950, 2004).astype(np.int64)
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    length = ((year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - start).astype(int)
    return start + (rng.random(n) * length).astype(np.int64)


def _ymd(days: np.ndarray) -> np.ndarray:
    y = days.astype("datetime64[Y]").astype(np.int64) + 1970
    m = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return y * 10_000 + m * 100 + d


def _digits(numbers: np.ndarray, width: int) -> np.ndarray:
    """Decimal digits of non-negative ints as an (n, width) matrix, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (numbers[:, None] // powers) % 10


def _resident_ids(region: np.ndarray, birth: np.ndarray, male: np.ndarray, rng) -> np.ndarray:
    """18-character PRC resident ID: region(6) + birth(8) + sequence(3) + check (GB 11643)."""
    seq = rng.integers(0, 500, len(region)) * 2 + male.astype(np.int64)  # odd = male
    body = (region.astype(np.int64) * 10**8 + _ymd(birth)) * 1000 + seq
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    check = np.array(list("10X98765432"))[(_digits(body, 17) * weights).sum(1) % 11]
    return np.char.add(zfill(body, 17), check)


def _credit_codes(region: np.ndarray, rng) -> np.ndarray:
    """18-character unified social credit code: 91 + region + 9-digit org code + check."""
    org = rng.integers(10**8, 10**9, len(region))
    body = (91 * 10**6 + region.astype(np.int64)) * 10**9 + org
    weights = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
    charset = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
    check = charset[(31 - (_digits(body, 17) * weights).sum(1) % 31) % 31]
    return np.char.add(zfill(body, 17), check)


def _company_facts(
    rng: np.random.Generator,
    corporate: np.ndarray,
    wealth: np.ndarray,
    onboarded: np.ndarray,
    win: Window,
) -> dict[str, pa.Array]:
    """Registered capital, annual revenue, market position and years in business of the
    companies (the corporate credit rule's facts); individuals have none. Larger (richer)
    companies have more capital, more revenue and a stronger market position; a few
    company records carry no fact at all (legacy records), some lack one."""
    n = len(corporate)
    # size relative to a typical company (companies hold 4x the assets of a person)
    rel = np.clip(np.log(wealth / (4.0 * WEALTH_MEDIAN)), -3.0, 6.0)
    # registered capital in whole 10,000 CNY, at least 10,000
    capital = np.exp(rng.normal(np.log(CAPITAL_MEDIAN) + 0.5 * rel, 1.0, n))
    capital = np.maximum(np.rint(capital / 10_000), 1) * 10_000
    revenue = np.rint(capital * np.exp(rng.normal(np.log(REVENUE_PER_CAPITAL), 0.8, n)))
    # position: revenue relative to the median, with noise; leader ~6 %, major ~22 %,
    # average ~40 %, minor ~30 % of the companies
    size = np.log(revenue / (CAPITAL_MEDIAN * REVENUE_PER_CAPITAL)) / 1.5
    position = 3 - np.digitize(size + rng.normal(0, 0.4, n), (-0.5, 0.6, 1.6))
    # in business before becoming a customer, plus the years as a customer
    tenure = (win.as_of - onboarded).astype(np.int64) / 365.25
    years = np.floor(np.maximum(tenure, 0) + rng.exponential(6.0, n)).astype(np.int64)
    legacy = corporate & (rng.random(n) < 0.02)
    no_fact = ~corporate | legacy
    return {
        "registered_capital": nullable((capital * 100).astype(np.int64), no_fact, pa.int64()),
        "annual_revenue": nullable(
            (revenue * 100).astype(np.int64), no_fact | (rng.random(n) < 0.04), pa.int64()
        ),
        "market_position": nullable(
            np.array(MARKET_POSITIONS)[position], no_fact | (rng.random(n) < 0.05)
        ),
        "years_in_business": nullable(years, no_fact, pa.int16()),
    }


def draw_customers(rng: np.random.Generator, n: int, win: Window) -> tuple[pa.Table, Population]:
    width = max(6, len(str(n)))
    ids = np.char.add("C", zfill(np.arange(1, n + 1), width))
    corporate = rng.random(n) < 0.08
    indiv = ~corporate

    cities = [(p, c, code) for p, w, cs in PROVINCES for c, code in cs]
    city_w = [w * (2.0 if i == 0 else 1.0) / (len(cs) + 1) for _, w, cs in PROVINCES
              for i, _c in enumerate(cs)]  # fmt: skip
    city = pick(rng, city_w, n)
    province = np.array([p for p, _, _ in cities])[city]
    city_name = np.array([c for _, c, _ in cities])[city]
    region = np.array([code for _, _, code in cities])[city] * 100 + rng.integers(2, 10, n)

    male = rng.random(n) < 0.5
    birth = _birth_dates(rng, n)
    surname = np.array(list(SURNAMES))[pick(rng, 1 / np.arange(1, len(SURNAMES) + 1) ** 0.8, n)]
    gm, gf = np.array(list(GIVEN_M)), np.array(list(GIVEN_F))
    g1 = np.where(male, gm[rng.integers(0, len(gm), n)], gf[rng.integers(0, len(gf), n)])
    g2 = np.where(male, gm[rng.integers(0, len(gm), n)], gf[rng.integers(0, len(gf), n)])
    given = np.char.add(g1, np.where(rng.random(n) < 0.7, g2, ""))
    person = np.char.add(surname, given)

    industry = pick(rng, [w for _, w, _ in INDUSTRIES], n)
    ind_names = np.array([i for i, _, _ in INDUSTRIES])
    company = np.char.add(
        np.char.add(np.char.replace(city_name, "市", ""),
                    np.array(COMPANY_WORDS)[rng.integers(0, len(COMPANY_WORDS), n)]),
        np.char.add(np.array([s for _, _, s in INDUSTRIES])[industry], "有限公司"),
    )  # fmt: skip
    full_name = np.where(corporate, company, person)
    national_id = np.where(
        corporate, _credit_codes(region, rng), _resident_ids(region, birth, male, rng)
    )
    phone = np.char.add(
        np.array(MOBILE_PREFIXES)[rng.integers(0, len(MOBILE_PREFIXES), n)],
        zfill(rng.integers(0, 10**8, n), 8),
    )

    occ = pick(rng, [o[2] for o in OCCUPATIONS], n)
    occ_name = np.array([o[0] for o in OCCUPATIONS] + [RETIRED[0]])
    occ_risk = np.array([o[1] for o in OCCUPATIONS] + [RETIRED[1]])
    age = np.datetime64(win.as_of, "Y").astype(int) - birth.astype("datetime64[Y]").astype(int)
    occ = np.where((age >= 60) & (rng.random(n) < 0.7), len(OCCUPATIONS), occ)
    min_edu = np.array([o[4] for o in OCCUPATIONS] + [0])[occ]
    education = np.maximum(pick(rng, EDUCATION_W, n), min_edu)
    occ_industry = [o[3] for o in OCCUPATIONS] + [None]
    ind_of_occ = np.array([-1 if i is None else list(ind_names).index(i) for i in occ_industry])
    person_industry = np.where(ind_of_occ[occ] >= 0, ind_of_occ[occ], industry)
    retired = occ == len(OCCUPATIONS)

    # onboarded after the 18th birthday (individuals) and after 2005-01-01, tilted to recent
    low = np.where(indiv, np.maximum(birth + 6576, EARLIEST_ONBOARDING), EARLIEST_ONBOARDING)
    low = np.minimum(low, win.as_of)
    span = (win.as_of - low).astype(np.int64) + 1
    onboarded = low + (rng.random(n) ** 0.85 * span).astype(np.int64)

    # wealth: log-normal body plus a Pareto tail of rich customers; companies hold more
    body = np.exp(rng.normal(np.log(WEALTH_MEDIAN), 1.6, n) + 0.12 * (education - 4))
    rich = rng.random(n) < np.where(corporate, 0.05, 0.015)
    tail = 2_000_000.0 * (1 + rng.pareto(1.1, n))
    wealth = np.minimum(np.where(rich, tail, body * np.where(corporate, 4.0, 1.0)), 2e9)

    group = rng.random(n)
    dormant = group < 0.04  # no accounts, no card: star points 0
    card_only = (group >= 0.04) & (group < 0.08)
    has_accounts = ~dormant & ~card_only
    has_card = card_only | (has_accounts & (rng.random(n) < 0.75))
    activity = 8.6 * rng.gamma(1.3, 1 / 1.3, n) * np.where(corporate, 1.5, 1.0)
    activity = np.where(dormant, activity * 0.3, activity)
    # drawn last, so the columns above are those of earlier versions of the generator
    facts = _company_facts(rng, corporate, wealth, onboarded, win)

    table = pa.table({
        "customer_id": pa.array(ids),
        "customer_type": dictionary(corporate.astype(int), ("individual", "corporate")),
        "full_name": pa.array(full_name),
        "national_id": pa.array(national_id),
        "phone": pa.array(phone),
        "birth_date": nullable(birth, corporate, pa.date32()),
        "gender": nullable(np.where(male, "M", "F"), corporate),
        "education_level": nullable(np.array(EDUCATION)[education], corporate),
        "occupation": nullable(occ_name[occ], corporate),
        "occupation_risk_class": nullable(occ_risk[occ], corporate, pa.int16()),
        "industry": nullable(ind_names[np.where(corporate, industry, person_industry)],
                              indiv & retired),
        "province": pa.array(province),
        "city": pa.array(city_name),
        "onboarded_date": pa.array(onboarded, pa.date32()),
        **facts,
    })  # fmt: skip
    pop = Population(ids, corporate, onboarded, wealth, has_accounts, has_card, dormant, activity)
    return table, pop


def active_days(pop: Population, win: Window) -> tuple[np.ndarray, np.ndarray]:
    """First active day and number of active days per (customer, month)."""
    first = np.maximum(win.month_start[None, :], pop.onboarded[:, None])
    days = (win.month_end[None, :] - first).astype(np.int64)
    return first, np.maximum(days, 0)
