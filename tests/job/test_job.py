"""The nightly job end to end: definitions, a full run, the published artefact."""

import csv
import datetime as dt
import json
from decimal import Decimal

import dagster as dg
import duckdb
import pytest

from contracts.landing import SOURCES
from orchestration.publish.artefact import parquet_key
from tests.conftest import AS_OF, CORE_TIER_TABLES, open_db, query, run_job, seed_rows, store_key

CLASS_A = SOURCES["customers"].class_a


def band_for(value: Decimal, bands: tuple[dict, ...]) -> str:
    """Independent reading of a band seed: lower/upper bounds with their inclusivity."""
    for band in bands:
        lo, hi = band["lower_bound"], band["upper_bound"]
        if lo and not (
            value >= Decimal(lo) if band["lower_inclusive"] == "true" else value > Decimal(lo)
        ):
            continue
        if hi and not (
            value <= Decimal(hi) if band["upper_inclusive"] == "true" else value < Decimal(hi)
        ):
            continue
        return band["tier_code"]
    raise AssertionError(f"no band for {value}")


def test_definitions_load_with_the_full_lineage():
    from orchestration.definitions import defs

    job = defs.resolve_job_def("nightly_tiering")
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for table in CORE_TIER_TABLES:
        assert f"tiers/{table}" in keys
    assert "marts/customer_tiers" in keys
    assert {"landing/customers", "raw/customers", "published/tiers"} <= keys
    # landing -> raw -> staging -> ... -> marts -> published is one connected graph
    upstream = graph.get(dg.AssetKey(["published", "tiers"])).parent_keys
    assert dg.AssetKey(["tiers", "customer_star_tier"]) in upstream
    assert dg.AssetKey(["marts", "customer_tiers"]) in upstream
    assert (
        dg.AssetKey(["landing", "customers"])
        in graph.get(dg.AssetKey(["raw", "customers"])).parent_keys
    )
    groups = {
        graph.get(k).group_name
        for k in graph.get_all_asset_keys()
        if graph.has(k) and graph.get(k).is_materializable
    }
    assert groups == {
        "raw",
        "seeds",
        "staging",
        "intermediate",
        "tiers",
        "history",
        "marts",
        "published",
        "governance",
    }
    # the monthly governance assets (review, restore drill) are not part of the night
    nightly_groups = {graph.get(k).group_name for k in job.asset_layer.executable_asset_keys}
    assert "governance" not in nightly_groups and "published" in nightly_groups
    assert job.executor_def.name == "in_process"
    schedule = defs.resolve_schedule_def("nightly_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "Asia/Shanghai")


def test_schedule_rates_the_previous_day_in_shanghai():
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("nightly_schedule")
    # 02:00 in Shanghai on 1 Dec is 18:00 UTC on 30 Nov
    when = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)
    with dg.build_schedule_context(scheduled_execution_time=when) as ctx:
        request = schedule.evaluate_tick(ctx).run_requests[0]
    assert request.run_config["resources"]["tiering"]["config"]["as_of_date"] == "2026-11-30"


def test_run_publishes_one_row_per_customer_per_tier_table(nightly_run):
    assert "SUCCEEDED" in nightly_run.output
    assert str(nightly_run.artefact) in nightly_run.output
    # customers rated as of the date, by information class (class A customers are
    # published to the restricted artefact only)
    by_class = dict(
        query(
            nightly_run.warehouse,
            "select customer_info_class, count(*) from staging.stg_core__customers "
            "join intermediate.int_customer_info_class using (customer_id) "
            "where onboarded_date is null or onboarded_date <= ? group by 1",
            [AS_OF],
        )
    )
    assert sum(by_class.values()) > 300 and by_class["A"] > 0
    expected = {
        "restricted": sum(by_class.values()),
        "confidential": by_class["B"] + by_class["C"],
        "general": by_class["C"],
    }
    for clearance, customers in expected.items():
        for table in CORE_TIER_TABLES:
            n, distinct, dates = query(
                nightly_run.artefact_of(clearance),
                f"select count(*), count(distinct customer_id), list(distinct as_of_date) "
                f"from {table}",
            )[0]
            assert (n, distinct, dates) == (customers, customers, [AS_OF]), (clearance, table)
            assert f"{table}" in nightly_run.output  # the summary lists it
    # the Parquet copy is encrypted with the clearance's key
    parquet = (
        nightly_run.home / "published" / "confidential" / "parquet" / "customer_star_tier.parquet"
    )
    key = parquet_key(store_key(nightly_run.artefact))
    with open_db(nightly_run.artefact) as con:
        con.execute(f"pragma add_parquet_key('k', '{key}')")
        assert con.execute(
            f"select count(*) from read_parquet('{parquet}', encryption_config={{footer_key: 'k'}})"
        ).fetchone() == (expected["confidential"],)
        with pytest.raises(duckdb.Error, match="encrypted"):
            con.execute(f"select count(*) from '{parquet}'")


def test_star_level_and_card_tier_follow_the_seed_bands(nightly_run):
    stars, cards = seed_rows("star_level_bands"), seed_rows("card_tier_bands")
    (no_account,) = (r["tier_code"] for r in seed_rows("card_account_statuses"))
    # a customer without any balance row in the as-of month holds no account
    with (nightly_run.landing / "balances.csv").open(encoding="utf-8") as fh:
        holders = {r["customer_id"] for r in csv.DictReader(fh) if r["month"] == f"{AS_OF:%Y-%m}"}
    rows = query(
        nightly_run.artefact,
        "select customer_id, star_points, star_level_code, "
        "monthly_avg_daily_assets, card_tier_code from customer_star_tier",
    )
    seen_levels, seen_no_account = set(), 0
    for customer, points, level, assets, card in rows:
        assert level == band_for(Decimal(points), stars), (points, level)
        if customer in holders:
            assert card == band_for(Decimal(assets), cards), (assets, card)
        else:
            assert (card, assets) == (no_account, Decimal(0)), (customer, assets, card)
            seen_no_account += 1
        seen_levels.add(level)
    assert len(seen_levels) >= 5  # the small demo spreads over the bands
    assert 0 < seen_no_account < len(rows)


@pytest.mark.parametrize("clearance", ["general", "confidential", "restricted"])
def test_no_class_a_value_in_clear_text_in_an_artefact(nightly_run, small_landing, clearance):
    """No text value of any table of the artefact contains a class A value of the
    landing data (a name, an ID or a phone number, also inside a longer text). One
    Aho-Corasick automaton of every class A value scans every text value once."""
    import ahocorasick

    with (small_landing / "customers.csv").open(encoding="utf-8") as fh:
        secrets = {row[c] for row in csv.DictReader(fh) for c in CLASS_A if row[c]}
    assert len(secrets) > 500
    automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
    for secret in secrets:
        automaton.add_word(secret)
    automaton.make_automaton()
    with open_db(nightly_run.artefact_of(clearance)) as con:
        columns = con.execute(
            "select table_name, list(column_name order by ordinal_position) "
            "from information_schema.columns where data_type = 'VARCHAR' "
            "and table_schema = 'main' and table_catalog = 'db' group by table_name"
        ).fetchall()
        assert sum(len(names) for _t, names in columns) > 50
        assert not [c for _t, names in columns for c in names if c in CLASS_A]
        scanned = 0
        for table, names in columns:
            selected = ", ".join(f'"{name}"' for name in names)
            for row in con.execute(f'select {selected} from "{table}"').fetchall():
                for name, value in zip(names, row, strict=True):
                    if value is None:
                        continue
                    scanned += 1
                    leaked = [value[end - n + 1 : end + 1] for end, n in automaton.iter(value)]
                    assert not leaked, f"{table}.{name} holds class A text {leaked[:1]}"
        assert scanned > 10_000


def test_rule_versions_fingerprint_the_seeds_each_table_reads(nightly_run):
    """rule_version of a tier table = a fingerprint of the seeds it is computed from;
    tier_rule_versions lists them with dbt's checksum of each seed (SHA-256 of its
    text, leading and trailing whitespace stripped)."""
    import hashlib

    from orchestration.transform.project import project_dir

    with open_db(nightly_run.artefact) as con:
        listed = con.execute(
            "select table_name, rule_version, seed_name, seed_sha256 from tier_rule_versions"
        ).fetchall()
        versions = {t: v for t, v, _, _ in listed}
        seeds: dict[str, set[str]] = {}
        for table, _, seed, sha in listed:
            seeds.setdefault(table, set()).add(seed)
            path = project_dir() / "seeds" / f"{seed}.csv"
            text = path.read_text(encoding="utf-8").strip()
            assert sha == hashlib.sha256(text.encode("utf-8")).hexdigest(), seed
        assert set(CORE_TIER_TABLES) <= set(versions)
        for table, version in versions.items():
            in_rows = con.execute(f"select distinct rule_version from {table}").fetchall()
            assert in_rows == [(version,)], table
    assert {"star_level_bands", "card_tier_bands", "star_point_rates"} <= seeds[
        "customer_star_tier"
    ]
    assert "loyalty_tier_bands" not in seeds["customer_star_tier"]
    assert "loyalty_tier_bands" in seeds["customer_loyalty_tier"]


def test_manual_overrides_apply_until_they_expire_and_enter_the_history(nightly_run):
    """The generated landing's overrides.csv, read independently: an override in force
    on the as-of date pins its scheme's tier in the published tier table, with the
    computed tier, the reason, the approver and the expiry beside it (confidential and
    restricted: the free text is class B, so the general artefact shows the flag only);
    an expired one and one starting after the as-of date (held back at ingest) pin
    nothing; the pinned tiers are monthly ratings of the history like any other."""
    from orchestration.transform.project import dbt_project_yml
    from orchestration.transform.registry import tier_schemes

    with (nightly_run.landing / "overrides.csv").open(encoding="utf-8") as fh:
        overrides = list(csv.DictReader(fh))
    day = str(AS_OF)
    in_force = {
        r["override_id"]
        for r in overrides
        if r["valid_from"] <= day and (not r["valid_until"] or r["valid_until"] >= day)
    }
    expired = {r["override_id"] for r in overrides if r["valid_until"] and r["valid_until"] < day}
    future = {r["override_id"] for r in overrides if r["valid_from"] > day}
    assert in_force and expired and future
    schemes = {s.scheme: s for s in tier_schemes()}
    reasons = {e["scheme"]: e["reason"] for e in dbt_project_yml()["vars"]["tier_schemes"]}
    restricted = nightly_run.artefact_of("restricted")  # every customer, source numbers
    for r in overrides:
        s = schemes[r["scheme"]]
        assert reasons[s.scheme], s  # the generated overrides pin schemes with a reason
        pin = f"{s.prefix}_" if s.prefix else ""
        code, computed, pinned, reason, approver, until, reason_en = query(
            restricted,
            f"select {s.code_column}, computed_{s.code_column}, {pin}is_override, "
            f"{pin}override_reason, {pin}override_approved_by, {pin}override_valid_until, "
            f"{reasons[s.scheme]}_en from {s.model} where customer_id = ?",
            [r["customer_id"]],
        )[0]
        if r["override_id"] in in_force:
            assert (code, pinned, reason, approver) == (
                r["tier_code"],
                True,
                r["override_reason"],
                r["approved_by"],
            ), r
            assert until == (dt.date.fromisoformat(r["valid_until"]) if r["valid_until"] else None)
            assert reason_en.startswith(f"Manual override: {r['override_reason']} (approved by")
            assert "computed: " in reason_en
        else:
            assert (code, pinned, reason, approver, until) == (computed, False, None, None, None), r
    # the wide table lists the pinned schemes; the general artefact has the flag, not the text
    pinned_schemes = dict(
        query(
            restricted,
            "select customer_id, overridden_schemes from customer_tiers "
            "where overridden_schemes is not null",
        )
    )
    assert pinned_schemes == {
        r["customer_id"]: r["scheme"] for r in overrides if r["override_id"] in in_force
    }
    general = {
        column
        for (column,) in query(
            nightly_run.artefact_of("general"),
            "select column_name from _catalog where table_name = 'customer_value_tier'",
        )
    }
    assert "is_override" in general and "override_reason" not in general
    # held back, not a defect; counted in the summary
    assert query(
        nightly_run.warehouse, "select override_id, reason_code from quarantine.overrides"
    ) == [(i, "FUTURE_DATE") for i in sorted(future)]
    assert f"manual overrides in force: {len(in_force)}" in nightly_run.output
    # the history: the pinned tier is the month's rating, flagged, with the override
    stored = query(
        nightly_run.warehouse,
        "select override_id, scheme, tier_code, override_reason from "
        "history.tier_monthly_ratings where is_override order by 1",
    )
    assert stored == sorted(
        (r["override_id"], r["scheme"], r["tier_code"], r["override_reason"])
        for r in overrides
        if r["override_id"] in in_force
    )
    periods = query(
        restricted,
        "select customer_id, scheme, tier_code, override_reason, override_approved_by, "
        "is_current from customer_tier_history where is_override order by 1, 2",
    )
    assert periods == sorted(
        (
            r["customer_id"],
            r["scheme"],
            r["tier_code"],
            r["override_reason"],
            r["approved_by"],
            True,
        )
        for r in overrides
        if r["override_id"] in in_force
    )


def test_minimal_landing_with_only_customers_and_transactions(minimal_run):
    run = minimal_run
    assert run.exit_code == 0, run.output
    assert "absent" in run.output
    star = query(
        run.artefact,
        "select customer_id, tier_code, card_tier_code from customer_star_tier order by 1",
    )
    assert star == [("K1", "UNRATED", "UNRATED"), ("K2", "UNRATED", "UNRATED")]  # K3 is later
    credit = query(run.artefact, "select distinct tier_code from customer_credit_rating")
    assert credit == [("UNRATED",)]
    contribution = query(
        run.artefact,
        "select customer_id, contribution_12m, tier_code "
        "from customer_contribution_tier order by 1",
    )
    assert contribution == [("K1", Decimal("120000.00"), "HIGH"), ("K2", Decimal("0.00"), "LOW")]


def test_the_first_run_of_a_new_home_reuses_the_prepared_parse(minimal_run):
    """The profile is the same for every home (the plugin attaches the warehouse from
    the environment), so dbt reads the parse state prepared with the project instead
    of parsing every model again on a new home's first run."""
    logs = sorted((minimal_run.home / "dbt" / "target").glob("dbt.log*"))  # dbt rotates at 10 MB
    events = [json.loads(line)["info"] for log in logs for line in log.open(encoding="utf-8")]
    names = {e["name"] for e in events}
    assert "UnableToPartialParse" not in names, [
        e["msg"] for e in events if e["name"] == "UnableToPartialParse"
    ]
    assert "PartialParsingSkipParsing" in names or "PartialParsingEnabled" in names


def test_dbt_builds_as_many_models_at_once_as_the_warehouse_size_allows(minimal_run):
    """A warehouse smaller than DuckDB's memory limit: dbt builds as many models at once
    as DuckDB has threads (one at a time only once the warehouse outgrows the limit:
    orchestration.settings.dbt_threads, tested in tests/unit/test_settings.py)."""
    from orchestration.settings import duckdb_settings, memory_bytes

    settings = duckdb_settings(minimal_run.home)
    warehouse = minimal_run.home / "warehouse.duckdb"
    assert warehouse.stat().st_size < memory_bytes(settings.memory_limit)
    results = json.loads(
        (minimal_run.home / "dbt" / "target" / "run_results.json").read_text(encoding="utf-8")
    )
    assert results["args"]["threads"] == settings.threads


@pytest.mark.parametrize(
    "case, body, expected",
    [
        (
            "missing_column",
            "transaction_id,customer_id,transaction_ts,amount\n1,K1,1998-01-01,5\n",
            "missing required column(s) transaction_type",
        ),
        (
            "wrong_type",
            "transaction_id,customer_id,transaction_ts,transaction_type,amount\n"
            "1,K1,1998-01-01,purchase,five\n2,K1,1998-01-02,purchase,6\n",
            "INVALID_NUMBER:amount",
        ),
        (
            "duplicate_key",
            "transaction_id,customer_id,transaction_ts,transaction_type,amount\n"
            "1,K1,1998-01-01,purchase,5\n1,K1,1998-01-01,purchase,7\n",
            "KEY_CONFLICT:transaction_id",
        ),
    ],
)
def test_bad_landing_file_fails_the_run_and_names_the_column(tmp_path, case, body, expected):
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "customers.csv").write_text("customer_id\nK1\n")
    (landing / "transactions.csv").write_text(body)
    run = run_job(tmp_path / "home", landing, "1998-06-30")
    assert run.exit_code == 1, run.output
    assert "FAILED" in run.output and expected in run.output, run.output
    assert "NOT published" in run.output
    assert not run.artefact.exists()
