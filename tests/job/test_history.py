"""Tier history over a sequence of monthly ratings.

One home rates the same customers at four month-ends, as nightly runs would: every run
sees a landing folder cut at its as-of date, as the nightly delivery would be (that a
later run of a month replaces its rating is pinned by the dbt unit tests of
tier_monthly_ratings). Between September and October, August is rated again from the
full landing folder (a past month backfilled after a later month is stored): it must
see nothing after August and leave the stored history as it was. That a month-end
backfill launched from the Dagster UI gives the same history as nightly runs is
tests/ui/test_backfill.py.

Crafted customers check fast up / slow down of the star level: two monthly ratings
below the band keep the level with WATCH, the third drops it, a recovery resets the
count, an upgrade applies at once. A crafted customer with manual overrides checks
that an override pins its scheme for exactly its validity (valid_until included),
enters the history like any rating, never enters the fast up / slow down fold, and
that an override starting later is held back (the re-rated August) or not yet
delivered (the nightly runs) with the same result.

The runs skip dbt's unit and data tests (DBT_EXCLUDE_RESOURCE_TYPES): the unit tests
do not depend on the data and the data tests run in the nightly job of test_job; the
history invariants they would check are asserted here directly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from orchestration.demo import generate
from orchestration.transform.registry import tier_schemes
from tests.conftest import cut_landing, open_db, rows_without, run_job

FINAL_AS_OF = dt.date(2026, 10, 31)
MONTH_ENDS = ["2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31"]
#: re-rated from the full landing folder after September is stored
RERATED = "2026-08-31"

# Star points = 6-month average daily assets / 100 (no card spend, no fee business),
# so the sum S of the monthly balances over the 6-month window decides the level:
# STAR_7 >= 48M, STAR_6 [6M, 48M), STAR_5 [1.2M, 6M). Windows: Jul = Feb-Jul, Aug =
# Mar-Aug, Sep = Apr-Sep, Oct = May-Oct.
CRAFTED_BALANCES = {
    # 6-star in July (5M + 2M), then 2M: three ratings below -> drops in October
    "H_DOWN": {"2026-02": 5_000_000, "2026-07": 2_000_000},
    # 9M, 3M (below), 6.5M (back), 3.5M (below again: the count restarts at 1)
    "H_RECOVER": {"2026-02": 6_000_000, "2026-04": 3_000_000, "2026-09": 3_500_000},
    # 5-star for two months, 6-star from September on: upgraded at once
    "H_UP": {"2026-07": 2_000_000, "2026-09": 5_000_000},
    # as H_DOWN, with the manual overrides of CRAFTED_OVERRIDES
    "H_PIN": {"2026-02": 5_000_000, "2026-07": 2_000_000},
}
# Manual overrides of H_PIN: its star level pinned to 7-star for August only (valid
# until the month-end: applied on 08-31, expired on 09-30), and its effective star
# level pinned to 6-star from 09-15 until withdrawn (held back by the July and August
# runs).
CRAFTED_OVERRIDES = (
    "H1,H_PIN,star_level,STAR_7,八月营销活动保级,零售业务部 E10217,2026-08-01,2026-08-31",
    "H2,H_PIN,effective_star_level,STAR_6,代发工资客户保级,个人金融部 E10388,2026-09-15,",
)
# (star level as computed, effective star level, status, months_below) per month-end
EXPECTED_STAR = {
    "H_DOWN": [
        ("STAR_6", "STAR_6", "NEW", 0),
        ("STAR_5", "STAR_6", "WATCH", 1),
        ("STAR_5", "STAR_6", "WATCH", 2),
        ("STAR_5", "STAR_5", "DOWNGRADED", 3),
    ],
    "H_RECOVER": [
        ("STAR_6", "STAR_6", "NEW", 0),
        ("STAR_5", "STAR_6", "WATCH", 1),
        ("STAR_6", "STAR_6", "STABLE", 0),
        ("STAR_5", "STAR_6", "WATCH", 1),
    ],
    "H_UP": [
        ("STAR_5", "STAR_5", "NEW", 0),
        ("STAR_5", "STAR_5", "STABLE", 0),
        ("STAR_6", "STAR_6", "UPGRADED", 0),
        ("STAR_6", "STAR_6", "STABLE", 0),
    ],
    # the fold as H_DOWN's (the August pin of star_level never enters it); the pin of
    # the effective star level keeps 6-star published in October, DOWNGRADED underneath
    "H_PIN": [
        ("STAR_6", "STAR_6", "NEW", 0),
        ("STAR_5", "STAR_6", "WATCH", 1),
        ("STAR_5", "STAR_6", "WATCH", 2),
        ("STAR_5", "STAR_6", "DOWNGRADED", 3),
    ],
}
# (star level published, its computed one, pinned?) and the same of the effective star
# level, of H_PIN per run
EXPECTED_PIN = {
    "2026-07-31": (("STAR_6", "STAR_6", False), ("STAR_6", "STAR_6", False)),
    "2026-08-31": (("STAR_7", "STAR_5", True), ("STAR_6", "STAR_6", False)),
    "2026-09-30": (("STAR_5", "STAR_5", False), ("STAR_6", "STAR_6", True)),
    "2026-10-31": (("STAR_5", "STAR_5", False), ("STAR_6", "STAR_5", True)),
}
# the stored history a re-rated past month must leave as it was, and its run-dependent
# lineage columns (the models that read it show what is visible as of a run's date)
HISTORY, LINEAGE = "history.tier_monthly_ratings", ("_invocation_id", "_loaded_at")


def _append_crafted(landing: Path) -> None:
    """Add the crafted customers. Customers onboarded after an as-of date stay in the
    files: a run of that date holds them (and their rows) back, whether it reads
    the folder cut at its date or the full one."""
    path = landing / "customers.csv"
    header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    with path.open("a", encoding="utf-8") as fh:
        for customer in CRAFTED_BALANCES:
            values = {
                "customer_id": customer,
                "customer_type": "individual",
                "province": "广东省",
                "city": "深圳市",
                "onboarded_date": "2020-01-01",
            }
            fh.write(",".join(values.get(c, "") for c in header) + "\n")
    with (landing / "balances.csv").open("a", encoding="utf-8") as fh:
        for customer, months in CRAFTED_BALANCES.items():
            for month, amount in months.items():
                fh.write(f"{customer},{month},{amount}.00,A-{customer},deposit\n")
    with (landing / "overrides.csv").open("a", encoding="utf-8") as fh:
        fh.writelines(row + "\n" for row in CRAFTED_OVERRIDES)


def _rows(warehouse: Path, table: str, excluded: tuple[str, ...]) -> list[tuple]:
    with open_db(warehouse) as con:
        return rows_without(con, table, excluded)


def _star_rows(artefact: Path) -> dict[str, tuple]:
    with open_db(artefact) as con:
        return {
            r[0]: tuple(r[1:])
            for r in con.execute(
                "select customer_id, star_level_code, effective_star_level_code, "
                "star_level_status, months_below, reason_en from customer_star_tier_effective "
                "where customer_id like 'H\\_%' escape '\\'"
            ).fetchall()
        }


def _pin_rows(artefact: Path) -> tuple[tuple, tuple]:
    """H_PIN's star level and effective star level: published, computed, pinned?"""
    with open_db(artefact) as con:
        return tuple(
            con.execute(
                f"select tier_code, computed_tier_code, is_override from {table} "
                "where customer_id = 'H_PIN'"
            ).fetchone()
            for table in ("customer_star_tier", "customer_star_tier_effective")
        )


@pytest.fixture(scope="module")
def full_landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("history") / "landing"
    generate(landing, customers=120, months=10, seed=3, as_of=FINAL_AS_OF)
    _append_crafted(landing)
    return landing


@pytest.fixture(scope="module")
def histories(tmp_path_factory, full_landing):
    """Rate the four month-ends, re-rate August after September; return what the runs
    published and the history around the re-rating."""
    base = tmp_path_factory.mktemp("homes")
    home, seen, pins = base / "nightly", {}, {}

    def nightly(as_of: str) -> None:
        landing = cut_landing(full_landing, base / f"landing_{as_of}", as_of)
        run = run_job(home, landing, as_of, dbt_tests=False)
        assert run.exit_code == 0, run.output[-4000:]
        # the first run loads the rule seeds; the later ones find them unchanged
        assert ("rule seeds unchanged since run" in run.output) is bool(seen), run.output
        seen[as_of] = _star_rows(run.artefact)
        pins[as_of] = _pin_rows(run.artefact)

    def history() -> list[tuple]:
        return _rows(home / "warehouse.duckdb", HISTORY, LINEAGE)

    for as_of in MONTH_ENDS[:3]:
        nightly(as_of)
    before = history()
    rerun = run_job(home, full_landing, RERATED, dbt_tests=False)
    assert rerun.exit_code == 0, rerun.output[-4000:]
    with open_db(rerun.artefact) as con:
        rerated = {
            "latest_history_date": str(
                con.execute(
                    "select max(last_rated_as_of_date) from customer_tier_history"
                ).fetchone()[0]
            ),
            "migration_dates": [
                str(d)
                for (d,) in con.execute(
                    "select distinct to_as_of_date from tier_migration"
                ).fetchall()
            ],
            "star": _star_rows(rerun.artefact),
        }
    after = history()
    nightly(MONTH_ENDS[3])
    return {
        "warehouse": home / "warehouse.duckdb",
        "nightly_seen": seen,
        "nightly_pins": pins,
        "rerated": rerated,
        "before_rerating": before,
        "after_rerating": after,
    }


def test_a_rerated_past_month_leaves_the_history_as_it_was(histories):
    before, after = histories["before_rerating"], histories["after_rerating"]
    assert before
    assert after == before


def test_a_rerated_past_month_never_sees_later_months(histories):
    rerated = histories["rerated"]
    # August was rated after September was stored: it saw up to August only
    assert rerated["latest_history_date"] == RERATED
    assert rerated["migration_dates"] == [RERATED]
    # and its published star levels are those of the nightly August run
    assert rerated["star"] == histories["nightly_seen"][RERATED]


def test_one_monthly_rating_per_month_latest_run_wins(histories):
    with open_db(histories["warehouse"]) as con:
        months = con.execute(
            "select rating_month, list(distinct rated_as_of_date) from "
            "history.tier_monthly_ratings group by 1 order by 1"
        ).fetchall()
        assert [(str(m), [str(d) for d in dates]) for m, dates in months] == [
            (d[:8] + "01", [d]) for d in MONTH_ENDS
        ]
        duplicates = con.execute(
            "select count(*) from (select customer_id, rating_month, scheme "
            "from history.tier_monthly_ratings group by all having count(*) > 1)"
        ).fetchone()[0]
        assert duplicates == 0
        periods = con.execute(
            "select count(*) from (select customer_id, scheme, valid_from "
            "from marts.customer_tier_history group by all having count(*) > 1)"
        ).fetchone()[0]
        assert periods == 0
        schemes = con.execute(
            "select count(distinct scheme) from marts.customer_tier_history"
        ).fetchone()[0]
        assert schemes == len(tier_schemes())  # every scheme of the registry


def test_star_level_is_fast_up_slow_down(histories):
    seen = histories["nightly_seen"]
    for customer, expected in EXPECTED_STAR.items():
        got = [seen[as_of][customer][:4] for as_of in MONTH_ENDS]
        assert got == expected, customer
    reasons = {as_of: seen[as_of]["H_DOWN"][4] for as_of in MONTH_ENDS}
    assert "on watch" in reasons["2026-09-30"] and "2 consecutive" in reasons["2026-09-30"]
    assert reasons["2026-10-31"].startswith("Star points 3,333.33 below the 6-star band")
    assert "upgraded at once" in seen["2026-09-30"]["H_UP"][4]


def test_history_periods_and_migration_of_the_crafted_customers(histories):
    with open_db(histories["warehouse"]) as con:
        periods = con.execute(
            "select scheme, tier_code, valid_from, valid_to, rating_count, is_current "
            "from marts.customer_tier_history where customer_id = 'H_DOWN' "
            "and scheme in ('star_level', 'effective_star_level') order by 1, 3"
        ).fetchall()
        migration = dict(
            con.execute(
                "select movement, sum(customer_count) from marts.tier_migration "
                "where scheme = 'effective_star_level' group by 1"
            ).fetchall()
        )
        customers = con.execute("select count(*) from marts.customer_tiers").fetchone()[0]
    d = dt.date.fromisoformat
    assert periods == [
        ("effective_star_level", "STAR_6", d("2026-07-31"), d("2026-10-31"), 3, False),
        ("effective_star_level", "STAR_5", d("2026-10-31"), None, 1, True),
        ("star_level", "STAR_6", d("2026-07-31"), d("2026-08-31"), 1, False),
        ("star_level", "STAR_5", d("2026-08-31"), None, 3, True),
    ]
    assert migration.get("DOWN", 0) >= 1  # H_DOWN at least
    assert sum(migration.values()) == customers  # everyone was rated in September too


def test_manual_overrides_pin_for_their_validity_and_enter_the_history(histories):
    """H_PIN's star level is pinned for August only: applied on the last day of its
    validity (08-31), expired by itself on 09-30; its effective star level is pinned
    from 09-15 on, over the fold's DOWNGRADED in October. The runs store the pins as
    monthly ratings flagged is_override, and the SCD2 history shows them as periods of
    their own (also the effective pin of the code the fold holds in September)."""
    assert histories["nightly_pins"] == EXPECTED_PIN
    d = dt.date.fromisoformat
    with open_db(histories["warehouse"]) as con:
        stored = con.execute(
            "select rating_month, scheme, tier_code, computed_tier_code, override_id "
            "from history.tier_monthly_ratings where customer_id = 'H_PIN' "
            "and is_override order by 1, 2"
        ).fetchall()
        periods = con.execute(
            "select scheme, tier_code, valid_from, valid_to, is_override, "
            "override_approved_by from marts.customer_tier_history "
            "where customer_id = 'H_PIN' and scheme in ('star_level', "
            "'effective_star_level') order by 1, 3"
        ).fetchall()
        held_back = con.execute(
            "select count(*) from quarantine.overrides where override_id = 'H2'"
        ).fetchone()[0]
    assert stored == [
        (d("2026-08-01"), "star_level", "STAR_7", "STAR_5", "H1"),
        (d("2026-09-01"), "effective_star_level", "STAR_6", None, "H2"),
        (d("2026-10-01"), "effective_star_level", "STAR_6", None, "H2"),
    ]
    assert periods == [
        ("effective_star_level", "STAR_6", d("2026-07-31"), d("2026-09-30"), False, None),
        ("effective_star_level", "STAR_6", d("2026-09-30"), None, True, "个人金融部 E10388"),
        ("star_level", "STAR_6", d("2026-07-31"), d("2026-08-31"), False, None),
        ("star_level", "STAR_7", d("2026-08-31"), d("2026-09-30"), True, "零售业务部 E10217"),
        ("star_level", "STAR_5", d("2026-09-30"), None, False, None),
    ]
    assert held_back == 0  # the last run (10-31) loads it; earlier ones held it back
