"""The tier scheme registry, as Python reads it.

The list of tier schemes is typed once, as the dbt var ``tier_schemes`` in
``dbt_project.yml``: dbt generates the wide table and the rating history from it,
and Python reads it here (run summary, tests). One name per scheme everywhere: the
``scheme`` of the history tables, the column prefix of ``customer_tiers``, the keys
of seeds ``tier_status_labels``, ``service_measures`` and ``tier_hysteresis_rules``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from orchestration.transform.project import dbt_project_yml, project_dir


@dataclass(frozen=True)
class TierScheme:
    scheme: str
    #: the tier (or mart, for an effective scheme) model that computes it
    model: str
    #: column prefix in that model: "" for its main tier (tier_code, tier_rank, ...)
    prefix: str
    #: the seed whose tier_code lists the scheme's codes
    codes_seed: str
    #: for a fast-up / slow-down scheme, the scheme it smooths
    effective_of: str | None = None
    #: codes besides the codes seed (a forced tier): (seed, column prefix or "")
    extra_codes: tuple[str, str] | None = None

    @property
    def code_column(self) -> str:
        return f"{self.prefix}_code" if self.prefix else "tier_code"

    @property
    def label_column(self) -> str:
        return f"{self.prefix}_en" if self.prefix else "tier_label_en"

    @property
    def rank_column(self) -> str:
        """The rank column of the scheme's codes (a model may lack it)."""
        return f"{self.prefix}_rank" if self.prefix else "tier_rank"


def tier_schemes() -> tuple[TierScheme, ...]:
    entries = (dbt_project_yml().get("vars") or {}).get("tier_schemes")
    if not entries:
        raise ValueError(
            "dbt_project.yml: vars.tier_schemes (the tier scheme registry) is missing or empty"
        )
    return tuple(
        TierScheme(
            scheme=e["scheme"],
            model=e["model"],
            prefix=e.get("prefix") or "",
            codes_seed=e["codes_seed"],
            effective_of=e.get("effective_of"),
            extra_codes=(
                (e["extra_codes"]["seed"], e["extra_codes"].get("prefix") or "")
                if e.get("extra_codes")
                else None
            ),
        )
        for e in entries
    )


def _seed_column(seed: str, column: str) -> tuple[str, ...]:
    """The non-empty values of one column of a seed CSV, in file order."""
    with (project_dir() / "seeds" / f"{seed}.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(v for row in csv.DictReader(fh) if (v := (row.get(column) or "").strip()))


def scheme_codes() -> dict[str, tuple[str, ...]]:
    """Scheme name -> the codes it can take: its codes seed and its extra codes, the
    same list as the dbt macro ``tier_codes_sql`` (the status code UNRATED is not
    one of them). Read from the seeds, so a band added to a seed is a code here too."""
    codes: dict[str, tuple[str, ...]] = {}
    for s in tier_schemes():
        found = list(_seed_column(s.codes_seed, "tier_code"))
        if s.extra_codes:
            seed, prefix = s.extra_codes
            column = f"{prefix}_code" if prefix else "tier_code"
            found += [c for c in _seed_column(seed, column) if c not in found]
        codes[s.scheme] = tuple(found)
    return codes
