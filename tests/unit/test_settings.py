"""Run settings: the as-of date, the default date of a run, the paths of a home."""

import datetime as dt
from pathlib import Path

import pytest

from orchestration.settings import TieringConfig, parse_as_of, previous_day, resolve_paths


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 02:00 in Shanghai on 1 Dec is 18:00 UTC on 30 Nov: the previous day is 30 Nov
        (dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC), dt.date(2026, 11, 30)),
        # 15:59 UTC is 23:59 in Shanghai, still 30 Nov there
        (dt.datetime(2026, 11, 30, 15, 59, tzinfo=dt.UTC), dt.date(2026, 11, 29)),
        # a Monday is rated as of Sunday: the calendar day before, not a business day
        (dt.datetime(2026, 11, 30, 2, 0), dt.date(2026, 11, 29)),
        (dt.datetime(2027, 1, 1, 2, 0), dt.date(2026, 12, 31)),
    ],
)
def test_previous_day_is_the_calendar_day_before_in_shanghai(moment, expected):
    assert previous_day(moment) == expected


def test_parse_as_of_accepts_a_date_and_names_a_bad_value():
    assert parse_as_of(" 2026-10-31 ") == dt.date(2026, 10, 31)
    assert parse_as_of(dt.date(1998, 6, 30)) == dt.date(1998, 6, 30)
    with pytest.raises(ValueError, match="'2026-13-01'"):
        parse_as_of("2026-13-01")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_as_of("31/10/2026")


def test_config_parses_the_as_of_date_once_and_defaults_to_yesterday():
    assert TieringConfig(as_of_date="2026-10-31").as_of == dt.date(2026, 10, 31)
    today = previous_day(dt.datetime.now(dt.UTC)) + dt.timedelta(days=1)
    assert TieringConfig().as_of in (today - dt.timedelta(days=1), today)
    with pytest.raises(ValueError, match="as-of date"):
        _ = TieringConfig(as_of_date="yesterday").as_of


def test_paths_explicit_then_environment_then_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_paths().home == tmp_path / "data"
    assert resolve_paths().landing == tmp_path / "data" / "landing"
    monkeypatch.setenv("TIERING_HOME", str(tmp_path / "env-home"))
    monkeypatch.setenv("TIERING_LANDING", str(tmp_path / "env-landing"))
    assert resolve_paths().home == tmp_path / "env-home"
    assert resolve_paths().landing == tmp_path / "env-landing"
    paths = resolve_paths(tmp_path / "h", Path("rel"))
    assert (paths.home, paths.landing) == (tmp_path / "h", tmp_path / "rel")
    assert paths.warehouse == tmp_path / "h" / "warehouse.duckdb"
    assert paths.dbt_target == tmp_path / "h" / "dbt" / "target"


def test_the_business_time_zone_is_a_setting_and_a_bad_one_is_named(monkeypatch):
    from orchestration.settings import DEFAULT_TZ, business_tz

    monkeypatch.delenv("TIERING_TIMEZONE", raising=False)
    assert business_tz() == DEFAULT_TZ == "Asia/Shanghai"
    monkeypatch.setenv("TIERING_TIMEZONE", "Europe/Paris")
    assert business_tz() == "Europe/Paris"
    monkeypatch.setenv("TIERING_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ValueError, match="TIERING_TIMEZONE='Mars/Olympus' is not an IANA"):
        business_tz()
