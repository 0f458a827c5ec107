"""Deterministic synthetic landing data that follows landing contract v1.

``generate`` writes the seven landing sources (customers, transactions split into one
file per month, balances, credit reports, interactions with calls, leads, a handful of
manual tier overrides) for a given number of customers and months ending at an as-of
date. Everything is drawn with numpy from one seed (a child stream per source), so the
same arguments give byte-identical files. No Python loop runs per transaction: counts
are Poisson draws per customer, month and type, expanded with ``np.repeat``; DuckDB
formats and writes the CSV (or Parquet) files. The transactions are drawn and written
one block of customers at a time, so memory stays bounded at a bank's size (1M
customers, 100M transactions); ``generate_extra_day`` writes the next day's delivery.

The numbers are shaped so that every tier in the README's table catalogue has customers
in it: wealth is log-normal with a Pareto tail (card tiers 50k / 500k / 5M), a few
percent hold no accounts and no card (star points 0), credit scores sit mostly in
600-800, and the debt-to-income and loan-to-value ratios spread around the rating
thresholds.

Modules: ``vocabulary`` (fixed names, codes and weights), ``arrays`` (numpy / pyarrow
helpers), ``population`` (the window, the customers table and the latent traits the
other sources are drawn from), one module per other source (``balances``,
``transactions``, ``credit_reports``, ``interactions``, ``leads``, ``overrides``) and
``landing_files`` (the entry points and the CSV / Parquet writer).
"""

from orchestration.demo.landing_files import DEFAULT_AS_OF, generate, generate_extra_day

__all__ = ["DEFAULT_AS_OF", "generate", "generate_extra_day"]
