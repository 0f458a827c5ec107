"""Run settings: the as-of date, the default date of a run, the paths of a home."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.config import TieringConfig
from orchestration.settings import parse_as_of, previous_day, resolve_paths


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


def test_duckdb_settings_derive_from_the_machine(tmp_path, monkeypatch):
    from orchestration import settings

    for name in (
        settings.MEMORY_LIMIT_VARIABLE,
        settings.THREADS_VARIABLE,
        settings.TEMP_DIRECTORY_VARIABLE,
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(settings, "machine_memory", lambda: 24 << 30)
    monkeypatch.setattr(settings, "machine_cores", lambda: 2)
    found = settings.duckdb_settings(tmp_path)
    # 1.25 GiB a thread on a big machine, spilling under the home
    assert (found.memory_limit, found.threads) == ("2560MiB", 2)
    assert found.temp_directory == tmp_path.resolve() / "tmp" / "duckdb"
    # never more than a quarter of a small machine's memory, never less than 512 MiB
    monkeypatch.setattr(settings, "machine_memory", lambda: 4 << 30)
    assert settings.duckdb_settings(tmp_path).memory_limit == "1024MiB"
    monkeypatch.setattr(settings, "machine_memory", lambda: 1 << 30)
    assert settings.duckdb_settings(tmp_path).memory_limit == "512MiB"


def test_duckdb_settings_environment_then_run_config(tmp_path, monkeypatch):
    from orchestration.settings import duckdb_settings

    monkeypatch.setenv("TIERING_DUCKDB_MEMORY_LIMIT", "2GB")
    monkeypatch.setenv("TIERING_DUCKDB_THREADS", "3")
    monkeypatch.setenv("TIERING_DUCKDB_TEMP_DIRECTORY", str(tmp_path / "spill"))
    found = duckdb_settings(tmp_path)
    assert (found.memory_limit, found.threads, found.temp_directory) == (
        "2GB",
        3,
        tmp_path / "spill",
    )
    config = TieringConfig(
        home=str(tmp_path),
        duckdb_memory_limit="700MiB",
        duckdb_threads=1,
        duckdb_temp_directory=str(tmp_path / "other"),
    )
    assert (config.duckdb.memory_limit, config.duckdb.threads) == ("700MiB", 1)
    assert config.duckdb.temp_directory == tmp_path / "other"
    # the subprocess environment carries exactly what the run resolved
    assert config.duckdb.environment() == {
        "TIERING_DUCKDB_MEMORY_LIMIT": "700MiB",
        "TIERING_DUCKDB_THREADS": "1",
        "TIERING_DUCKDB_TEMP_DIRECTORY": str(tmp_path / "other"),
    }


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TIERING_DUCKDB_MEMORY_LIMIT", "lots", "memory size"),
        ("TIERING_DUCKDB_MEMORY_LIMIT", "80%", "memory size"),
        ("TIERING_DUCKDB_THREADS", "0", "positive whole number"),
        ("TIERING_DUCKDB_THREADS", "two", "positive whole number"),
    ],
)
def test_a_malformed_duckdb_setting_is_named(tmp_path, monkeypatch, variable, value, message):
    from orchestration.settings import duckdb_settings

    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=f"{variable}={value!r}.*{message}"):
        duckdb_settings(tmp_path)


def test_what_the_dbt_plugin_imports_loads_no_dagster():
    """dbt's subprocess imports the settings and the store helpers through its plugin on
    every run; Dagster there cost each run a second of start-up."""
    plugin = Path(__file__).resolve().parents[2] / "dbt_project" / "plugins"
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import tiering_encryption; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'dagster'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(plugin)], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]", out


def test_memory_sizes_read_in_bytes():
    from orchestration.settings import memory_bytes

    assert memory_bytes("2560MiB") == 2560 << 20
    assert memory_bytes("2.5 GiB") == 5 << 29
    assert memory_bytes("2500MB") == 2_500_000_000
    assert memory_bytes("3gb") == 3_000_000_000
    with pytest.raises(ValueError, match="'lots' is not a memory size"):
        memory_bytes("lots")


def test_dbt_builds_one_model_at_a_time_once_the_warehouse_outgrows_the_memory_limit(tmp_path):
    from orchestration.settings import DuckDBSettings, dbt_threads

    settings = DuckDBSettings(memory_limit="1KiB", threads=2, temp_directory=tmp_path)
    warehouse = tmp_path / "warehouse.duckdb"
    assert dbt_threads(settings, warehouse, environ={}) == 2  # no warehouse yet
    warehouse.write_bytes(b"x" * 1024)
    assert dbt_threads(settings, warehouse, environ={}) == 2  # as large as the limit
    warehouse.write_bytes(b"x" * 1025)
    assert dbt_threads(settings, warehouse, environ={}) == 1
    # the environment decides when set, and is checked
    assert dbt_threads(settings, warehouse, environ={"TIERING_DBT_THREADS": "2"}) == 2
    with pytest.raises(ValueError, match="TIERING_DBT_THREADS='two'"):
        dbt_threads(settings, warehouse, environ={"TIERING_DBT_THREADS": "two"})
