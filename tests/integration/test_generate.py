"""The synthetic generator: deterministic, valid under landing contract v1, realistic."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from contracts.landing import (
    CALL_OUTCOMES,
    MARKET_POSITIONS,
    MONEY,
    NEED_STATUSES,
    SOURCES,
    TRANSACTION_TYPES,
    Source,
)
from orchestration.demo import DEFAULT_AS_OF, generate, generate_extra_day

FORMATS = {  # how each DuckDB type must be spelled in the CSV
    MONEY: r"\d+\.\d{2}",
    "DATE": r"\d{4}-\d{2}-\d{2}",
    "TIMESTAMP": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}",
    "INTEGER": r"-?\d+",
    "BOOLEAN": r"true|false",
}
STAR_BANDS = (0, 50, 500, 2_000, 10_000, 80_000)
#: rows the generator dates after the as-of date on purpose, per source: an override
#: that starts later (the ingest holds it back until a run of its date).
FUTURE_ROWS = {"overrides": 1}


def _files(out: Path, source: str) -> list[Path]:
    if source == "transactions":
        return sorted((out / "transactions").glob("transactions_*.csv"))
    return [out / f"{source}.csv"]


def _load(out: Path) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with one all-varchar table per source (values exactly as written)."""
    con = duckdb.connect()
    for name in SOURCES:
        files = ", ".join(f"'{p}'" for p in _files(out, name))
        con.execute(
            f"create table {name} as select * from read_csv([{files}], header = true, "
            "all_varchar = true, delim = ',', quote = '\"')"
        )
    return con


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return con.execute(sql).fetchone()[0]


def _check_source(con: duckdb.DuckDBPyConnection, src: Source, out: Path, as_of: date) -> None:
    for path in _files(out, src.name):
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.split(",") == list(src.column_names), path
    t = src.name
    checks: list[tuple[str, str]] = []  # (column, condition a bad row meets)
    for col in src.columns:
        q = f'"{col.name}"'
        conds = [f"{q} = ''"]  # a null is an empty field, never an empty string
        if col.sql_type in FORMATS:
            conds.append(f"not regexp_full_match({q}, '{FORMATS[col.sql_type]}')")
            conds.append(f"try_cast({q} as {col.sql_type}) is null")
        if col.allowed is not None:
            conds.append(f"{q} not in ({', '.join(repr(v) for v in col.allowed)})")
        if col.min is not None:
            conds.append(f"try_cast({q} as double) < {col.min}")
        if col.max is not None:
            conds.append(f"try_cast({q} as double) > {col.max}")
        if col.pattern is not None:
            conds.append(f"not regexp_full_match({q}, '{col.pattern}')")
        if col.allowed_per is not None:
            other, per_value = col.allowed_per
            pairs = ", ".join(f"'{v}|{c}'" for v, codes in per_value for c in codes)
            conds.append(f"\"{other}\" || '|' || {q} not in ({pairs})")
        if col.not_before is not None:
            conds.append(f'cast({q} as date) < cast("{col.not_before}" as date)')
        checks += [(col.name, f"{q} is not null and ({c})") for c in conds]
        if col.required:
            checks.append((col.name, f"{q} is null"))
    counts = con.execute(
        "select " + ", ".join(f"count(*) filter ({c})" for _, c in checks) + f" from {t}"
    ).fetchone()
    failures = [
        f"{t}.{name}: {n} rows where {c}" for (name, c), n in zip(checks, counts, strict=True) if n
    ]
    assert not failures, failures
    key = ", ".join(f'"{k}"' for k in src.key)
    dups = _count(
        con, f"select count(*) from (select {key} from {t} group by all having count(*) > 1)"
    )
    assert dups == 0, f"{t}: duplicate keys"
    if src.child_of_customers:
        orphans = _count(
            con,
            f"select count(*) from {t} "
            "where customer_id not in (select customer_id from customers)",
        )
        assert orphans == 0, f"{t}: unknown customer_id"
    if src.event_time:
        late = _count(
            con, f"select count(*) from {t} where cast({src.event_time} as date) > '{as_of}'"
        )
        assert late == FUTURE_ROWS.get(t, 0), f"{t}: {src.event_time} after {as_of}"


def _check_contract(out: Path, rows: dict[str, int], months: int, as_of: date) -> None:
    con = _load(out)
    for src in SOURCES.values():
        _check_source(con, src, out, as_of)
        assert _count(con, f"select count(*) from {src.name}") == rows[src.name], src.name
    # every event falls in the window of `months` months ending at as_of
    first = _count(
        con, f"select date_trunc('month', date '{as_of}' - interval {months - 1} month)::date"
    )
    for t, col in (("transactions", "transaction_ts"), ("interactions", "interaction_ts"),
                   ("credit_reports", "report_date")):  # fmt: skip
        early = _count(con, f"select count(*) from {t} where cast({col} as date) < '{first}'")
        assert early == 0, f"{t}.{col} before {first}"
    months_seen = _count(con, "select count(distinct month) from balances")
    assert months_seen <= months
    assert _count(con, "select max(month) from balances") == str(as_of)[:7]
    # national IDs of individuals carry a valid GB 11643 check digit
    ids = con.execute(
        "select national_id, replace(birth_date, '-', '') from customers "
        "where customer_type = 'individual'"
    ).fetchall()
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for nid, birth in ids:
        assert len(nid) == 18 and nid[6:14] == birth
        total = sum(int(d) * w for d, w in zip(nid[:17], weights, strict=True))
        assert "10X98765432"[total % 11] == nid[17], nid
    bad_phone = _count(
        con, "select count(*) from customers where not regexp_full_match(phone, '1[358]\\d{9}')"
    )
    assert bad_phone == 0
    con.close()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("small_a")
    return out, generate(out, customers=300, months=3, seed=7)


@pytest.fixture(scope="module")
def moderate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("moderate")
    return out, generate(out, customers=2_000, months=6, seed=42)


def _tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.csv"))}


def test_same_seed_gives_identical_files(small, tmp_path: Path) -> None:
    out, rows = small
    again = generate(tmp_path / "b", customers=300, months=3, seed=7)
    assert again == rows
    first, second = _tree(out), _tree(tmp_path / "b")
    assert list(first) == list(second)
    assert len(first) == 6 + 3  # six single-file sources + one transactions file per month
    for name in first:
        assert first[name] == second[name], name


def test_other_seed_gives_other_data(small, tmp_path: Path) -> None:
    out, _ = small
    generate(tmp_path / "c", customers=300, months=3, seed=8)
    first, other = _tree(out), _tree(tmp_path / "c")
    assert first["customers.csv"] != other["customers.csv"]
    assert (
        first["transactions/transactions_2026-10.csv"]
        != other["transactions/transactions_2026-10.csv"]
    )


def test_blocks_of_customers_give_valid_files_with_unique_ids(small, tmp_path: Path) -> None:
    """Drawn in blocks of 70 customers (5 blocks, each appended to the month files), the
    files still follow the contract (one header per file, transaction ids unique across
    blocks, of one width), are the same on every run, and only the transactions depend
    on the block size."""
    out = tmp_path / "blocks"
    rows = generate(out, customers=300, months=3, seed=7, block_customers=70)
    _check_contract(out, rows, months=3, as_of=DEFAULT_AS_OF)
    con = _load(out)
    widths = con.execute("select count(distinct length(transaction_id)) from transactions")
    assert widths.fetchone()[0] == 1
    con.close()
    again = generate(tmp_path / "again", customers=300, months=3, seed=7, block_customers=70)
    assert again == rows and _tree(out) == _tree(tmp_path / "again")
    one_block, blocks = _tree(small[0]), _tree(out)
    for name in one_block:
        assert (one_block[name] == blocks[name]) == (not name.startswith("transactions/")), name


def test_parquet_holds_the_values_of_the_csv(tmp_path: Path) -> None:
    """--format parquet: typed columns (money DECIMAL(18,2), dates, timestamps) that
    read back as the very text of the CSV files, also when appended block by block."""
    csv_rows = generate(tmp_path / "csv", customers=200, months=2, seed=5, block_customers=60)
    pq_rows = generate(
        tmp_path / "pq", customers=200, months=2, seed=5, block_customers=60, fmt="parquet"
    )
    assert pq_rows == csv_rows
    con = duckdb.connect()
    for name, source in SOURCES.items():
        folder = "transactions/transactions_*" if name == "transactions" else name
        text = f"read_csv('{tmp_path}/csv/{folder}.csv', header = true, all_varchar = true)"
        typed = f"read_parquet('{tmp_path}/pq/{folder}.parquet')"
        money = [c.name for c in source.columns if c.sql_type == MONEY]
        assert (
            all(
                str(t).startswith("DECIMAL(18,2)")
                for t in con.sql(f"select {', '.join(money) or 1} from {typed} limit 0").types
            )
            or not money
        )
        as_text = f"select columns(*)::varchar from {typed}"
        for first, second in (
            (f"select * from {text}", as_text),
            (as_text, f"select * from {text}"),
        ):
            extra = con.execute(f"select count(*) from ({first} except all {second})").fetchone()
            assert extra[0] == 0, name
    con.close()


def test_extra_day_is_the_next_delivery(tmp_path: Path) -> None:
    """The next night's file: transactions of the day after the as-of date only, of
    known customers, with ids that collide with none of the months'."""
    rows = generate(tmp_path, customers=300, months=3, seed=7, block_customers=70)
    path, extra = generate_extra_day(tmp_path, 300, 3, 7, DEFAULT_AS_OF, block_customers=70)
    assert path == tmp_path / "transactions" / "transactions_2026-11-01.csv"
    assert 0 < extra < rows["transactions"] / 30
    con = _load(tmp_path)  # all the transactions files, the new one included
    assert _count(con, "select count(*) from transactions") == rows["transactions"] + extra
    assert _count(con, "select count(distinct transaction_id) from transactions") == (
        rows["transactions"] + extra
    )
    days = con.execute(
        f"select distinct cast(transaction_ts as date) from read_csv('{path}', all_varchar = true)"
    ).fetchall()
    assert days == [(date(2026, 11, 1),)]
    assert _count(con, "select count(*) from transactions where customer_id not in "
                       "(select customer_id from customers)") == 0  # fmt: skip
    con.close()


def test_small_set_follows_contract(small) -> None:
    out, rows = small
    _check_contract(out, rows, months=3, as_of=DEFAULT_AS_OF)


def test_mid_month_as_of(tmp_path: Path) -> None:
    as_of = date(2024, 2, 15)
    msgs: list[str] = []
    rows = generate(tmp_path, customers=150, months=2, seed=1, as_of=as_of, progress=msgs.append)
    names = sorted(p.name for p in (tmp_path / "transactions").iterdir())
    assert names == ["transactions_2024-01.csv", "transactions_2024-02.csv"]
    assert len(msgs) == len(SOURCES) and all(rows.values())
    _check_contract(tmp_path, rows, months=2, as_of=as_of)


def test_moderate_set_covers_types_and_tiers(moderate) -> None:
    out, rows = moderate
    _check_contract(out, rows, months=6, as_of=DEFAULT_AS_OF)
    con = _load(out)
    types = {
        r[0] for r in con.execute("select distinct transaction_type from transactions").fetchall()
    }
    assert types == set(TRANSACTION_TYPES)

    assets = """
        with a as (select customer_id, month, sum(avg_daily_balance::decimal(18,2)) assets
                   from balances group by all)
        select customer_id, assets from a where month = (select max(month) from a)"""
    tiers = dict(
        con.execute(f"""
        select case when assets >= 5000000 then 'diamond' when assets >= 500000 then 'vip'
                    when assets >= 50000 then 'wealth' else 'ordinary' end, count(*)
        from customers left join ({assets}) using (customer_id) group by 1""").fetchall()
    )
    assert set(tiers) == {"diamond", "vip", "wealth", "ordinary"}
    n = rows["customers"]
    assert tiers["diamond"] >= 0.003 * n and 0.01 * n <= tiers["vip"] <= 0.15 * n

    points = con.execute("""
        with a as (select customer_id, sum(avg_daily_balance::decimal(18,2)) / 6 assets
                   from balances group by 1),
        t as (select customer_id,
                     sum(amount::decimal(18,2)) filter (transaction_type = 'card_spend') card,
                     sum(amount::decimal(18,2)) filter (transaction_type = 'fee_business') fee
              from transactions group by 1)
        select coalesce(assets, 0) / 100 + coalesce(card, 0) / 50 + coalesce(fee, 0) / 50
        from customers left join a using (customer_id) left join t using (customer_id)
    """).fetchall()
    bands = [0] * (len(STAR_BANDS) + 1)
    for (p,) in points:
        bands[0 if p == 0 else sum(p >= b for b in STAR_BANDS)] += 1
    assert all(bands), f"empty star band: {bands}"
    assert 0.02 * n <= bands[0] <= 0.07 * n  # no balances and no card spend

    claims, premiums, refunds, purchases = con.execute("""
        select count(*) filter (transaction_type = 'claim'),
               count(*) filter (transaction_type = 'premium'),
               count(*) filter (transaction_type = 'refund'),
               count(*) filter (transaction_type = 'purchase')
        from transactions""").fetchone()
    assert claims < premiums / 2 and refunds < purchases / 2
    per_customer_month = rows["transactions"] / (n * 6)
    assert 5 <= per_customer_month <= 12
    con.close()


def test_moderate_set_has_calls_and_leads_for_every_level_and_stage(moderate) -> None:
    """Calls follow each customer's attitude, so every intent level occurs - also an
    invalid number dialled twice (level 1); leads carry every need status, and an
    expected close date only with a need."""
    out, rows = moderate
    con = _load(out)
    outcomes = {
        r[0]
        for r in con.execute(
            "select distinct call_outcome from interactions where interaction_type = 'call'"
        ).fetchall()
    }
    assert outcomes == set(CALL_OUTCOMES)
    assert (
        _count(
            con,
            "select count(*) from interactions "
            "where interaction_type <> 'call' and call_outcome is not null",
        )
        == 0
    )
    # customers whose number is invalid are called again and still not reached
    redialled_invalid = _count(
        con,
        """
        select count(*) from (
            select customer_id from interactions where interaction_type = 'call'
            group by customer_id
            having count(*) filter (call_outcome = 'invalid_number') >= 1 and count(*) >= 2
               and count(*) filter (call_outcome in ('invalid_number', 'no_answer',
                                                     'not_connected')) = count(*))""",
    )
    assert redialled_invalid >= 5
    # one customer's calls tell one story: a hostile customer is rarely very interested
    mixed = _count(
        con,
        """
        select count(*) from (
            select customer_id from interactions where interaction_type = 'call'
            group by customer_id
            having count(*) filter (call_outcome = 'hostile') > 0
               and count(*) filter (call_outcome = 'agreed_visit') > 0)""",
    )
    assert mixed <= 0.01 * rows["customers"]

    n_leads = rows["leads"]
    customers_with_leads = _count(con, "select count(distinct customer_id) from leads")
    assert 0.2 * rows["customers"] <= customers_with_leads <= 0.5 * rows["customers"]
    assert n_leads >= customers_with_leads
    needs = {r[0] for r in con.execute("select distinct need_status from leads").fetchall()}
    assert needs == set(NEED_STATUSES)
    assert (
        _count(
            con,
            "select count(*) from leads where need_status = 'none' "
            "and expected_close_date is not null",
        )
        == 0
    )
    assert (
        _count(
            con,
            "select count(*) from leads where need_status = 'explicit' "
            "and expected_close_date is null",
        )
        == 0
    )
    future_closes = _count(
        con,
        "select count(*) from leads where need_status = 'explicit' "
        f"and expected_close_date > '{DEFAULT_AS_OF}'",
    )
    assert future_closes >= 0.2 * _count(
        con, "select count(*) from leads where need_status = 'explicit'"
    )
    con.close()


def test_moderate_set_gives_business_facts_to_companies_only(moderate) -> None:
    """Registered capital, revenue, market position and years in business (the
    corporate credit rule) are drawn for companies - most have all four, a few none
    (legacy records) - and never for individuals; bigger companies lead their market."""
    out, _ = moderate
    con = _load(out)
    facts = "registered_capital, annual_revenue, market_position, years_in_business"
    individual = _count(
        con,
        "select count(*) from customers where customer_type = 'individual' "
        f"and coalesce({facts}) is not null",
    )
    assert individual == 0
    corporate, complete, none = con.execute(f"""
        select count(*),
               count(*) filter (registered_capital is not null and annual_revenue is not null
                                and market_position is not null
                                and years_in_business is not null),
               count(*) filter (coalesce({facts}) is null)
        from customers where customer_type = 'corporate'""").fetchone()
    assert corporate >= 100
    assert complete >= 0.8 * corporate and 0 < none <= 0.06 * corporate
    revenue = dict(
        con.execute("""
        select market_position, median(annual_revenue::decimal(18, 2))
        from customers where market_position is not null group by 1""").fetchall()
    )
    assert set(revenue) == set(MARKET_POSITIONS)
    medians = [revenue[p] for p in MARKET_POSITIONS]  # leader first
    assert medians == sorted(medians, reverse=True)
    con.close()


def test_overrides_pin_a_few_tiers_in_force_expired_and_future(small) -> None:
    """A handful of manual overrides, each of another long-standing customer: in force
    with an end, in force until withdrawn (one of them on an effective scheme), one
    expired before the as-of date and one starting after it."""
    out, rows = small
    con = _load(out)
    as_of = f"date '{DEFAULT_AS_OF}'"
    kinds = con.execute(f"""
        select
            count(*) filter (valid_from <= {as_of} and valid_until >= {as_of}),
            count(*) filter (valid_from <= {as_of} and valid_until is null),
            count(*) filter (valid_until < {as_of}),
            count(*) filter (valid_from > {as_of}),
            count(distinct customer_id),
            count(*) filter (scheme like 'effective%' and valid_from <= {as_of}
                             and coalesce(valid_until, {as_of}) >= {as_of}),
            count(*) filter (override_reason is null or approved_by is null)
        from (select * replace (cast(valid_from as date) as valid_from,
                                cast(valid_until as date) as valid_until) from overrides)
        join customers using (customer_id)
        where cast(onboarded_date as date) < cast(valid_from as date)""").fetchone()
    assert rows["overrides"] == 5
    assert kinds == (2, 1, 1, 1, 5, 1, 0), kinds
    con.close()
