"""Warehouse access: lock conflicts are retried with backoff; runs exclude each other."""

import contextlib
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.warehouse import connect, exclusive_run


def hold(script: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_connect_waits_for_a_transient_lock(tmp_path: Path):
    path = tmp_path / "wh.duckdb"
    with connect(path):
        pass
    holder = hold(f"""
        import time
        from pathlib import Path
        from orchestration.warehouse import connect
        with connect(Path({str(path)!r})):
            print("held", flush=True)
            time.sleep(1.5)
    """)
    started = time.monotonic()
    with connect(path, retry_delays=(0.5, 1, 2)) as con:
        assert con.execute("select 42").fetchone() == (42,)
    assert time.monotonic() - started >= 1.0  # it really waited for the holder
    holder.wait(timeout=10)


def test_connect_gives_up_after_the_last_retry(tmp_path: Path):
    path = tmp_path / "wh.duckdb"
    with connect(path):
        pass
    holder = hold(f"""
        import time
        from pathlib import Path
        from orchestration.warehouse import connect
        with connect(Path({str(path)!r})):
            print("held", flush=True)
            time.sleep(5)
    """)
    try:
        with pytest.raises(duckdb.IOException, match="lock"), connect(path, retry_delays=(0.1,)):
            pass
    finally:
        holder.kill()


def test_second_run_waits_for_the_first(tmp_path: Path):
    holder = hold(f"""
        import time
        from pathlib import Path
        from orchestration.warehouse import exclusive_run
        with exclusive_run(Path({str(tmp_path)!r})):
            print("held", flush=True)
            time.sleep(1.5)
    """)
    messages: list[str] = []
    started = time.monotonic()
    with exclusive_run(tmp_path, say=messages.append):
        waited = time.monotonic() - started
    assert waited >= 1.0 and "waiting" in messages[0]
    holder.wait(timeout=10)


def test_run_lock_is_released_when_its_process_is_killed(tmp_path: Path):
    holder = hold(f"""
        import time
        from pathlib import Path
        from orchestration.warehouse import exclusive_run
        with exclusive_run(Path({str(tmp_path)!r})):
            print("held", flush=True)
            time.sleep(60)
    """)
    holder.kill()
    holder.wait(timeout=10)
    messages: list[str] = []
    with exclusive_run(tmp_path, say=messages.append):
        pass
    assert messages == []


def _settings_of(con) -> dict[str, str]:
    return dict(
        con.execute(
            "select name, value from duckdb_settings() where name in "
            "('memory_limit', 'threads', 'temp_directory', 'temp_file_encryption')"
        ).fetchall()
    )


def test_a_warehouse_connection_has_the_duckdb_settings_in_force(tmp_path: Path):
    from orchestration.settings import duckdb_settings, duckdb_settings_in_force

    home = tmp_path / "home"
    with (
        duckdb_settings_in_force(duckdb_settings(home, memory_limit="700MiB", threads=3)),
        connect(home / "warehouse.duckdb") as con,
    ):
        found = _settings_of(con)
    assert found["memory_limit"] == "700.0 MiB"
    assert found["threads"] == "3"
    # spill files hold customer data: encrypted, in a private folder under the home,
    # one folder per connection
    assert found["temp_file_encryption"] == "true"
    spill_root = home / "tmp" / "duckdb"
    assert Path(found["temp_directory"]).parent == spill_root
    assert spill_root.stat().st_mode & 0o777 == 0o700


def test_the_run_config_sets_the_duckdb_settings_of_the_run(tmp_path: Path):
    import dagster as dg

    from orchestration.config import TieringConfig
    from orchestration.security.stores import new_connection
    from orchestration.settings import current_duckdb_settings

    @dg.asset
    def probe(tiering: TieringConfig) -> dict[str, str]:
        with new_connection(writes=False) as con:
            return _settings_of(con)

    home = tmp_path / "home"
    config = TieringConfig(home=str(home), duckdb_memory_limit="640MiB", duckdb_threads=1)
    result = dg.materialize([probe], resources={"tiering": config})
    found = result.output_for_node("probe")
    assert (found["memory_limit"], found["threads"]) == ("640.0 MiB", "1")
    assert Path(found["temp_directory"]).parent == home.resolve() / "tmp" / "duckdb"
    # in force for the run only
    assert current_duckdb_settings().memory_limit != "640MiB"


def test_the_dbt_plugin_gives_dbts_connection_the_runs_duckdb_settings(tmp_path: Path, monkeypatch):
    """dbt's connection gets the run config's settings: the job passes them to the dbt
    subprocess in its environment (dbt_env), the project's plugin applies them."""
    from dbt.adapters.duckdb.plugins import BasePlugin

    from orchestration.config import TieringConfig
    from orchestration.transform.assets import dbt_env
    from orchestration.transform.project import project_dir

    config = TieringConfig(
        home=str(tmp_path / "home"),
        duckdb_memory_limit="777MiB",
        duckdb_threads=3,
        duckdb_temp_directory=str(tmp_path / "spill"),
    )
    for name, value in dbt_env(config).items():
        monkeypatch.setenv(name, value)
    monkeypatch.syspath_prepend(str(project_dir() / "plugins"))  # the profile's module_paths
    plugin = BasePlugin.create("tiering_encryption")
    con = duckdb.connect()
    plugin.configure_connection(con)
    found = _settings_of(con)
    assert (found["memory_limit"], found["threads"]) == ("777.0 MiB", "3")
    assert Path(found["temp_directory"]).parent == tmp_path / "spill"
    assert found["temp_file_encryption"] == "true"
    # and the warehouse it attached is the run's
    attached = con.execute(
        "select path from duckdb_databases() where database_name = 'warehouse'"
    ).fetchall()
    con.close()
    assert attached == [(str(config.paths.warehouse),)]


def test_spill_files_are_encrypted(tmp_path: Path):
    """A sort bigger than the memory limit spills; the spill file is ciphertext
    (incompressible), not the rows it holds."""
    import threading
    import zlib

    from orchestration.security.stores import new_connection
    from orchestration.settings import duckdb_settings

    settings = duckdb_settings(tmp_path, memory_limit="32MiB", threads=1)
    seen: list[bytes] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for spill in settings.temp_directory.glob("*/*.tmp"):
                with contextlib.suppress(OSError):
                    seen.append(spill.read_bytes()[: 1 << 20])
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    with new_connection(writes=False, settings=settings) as con:
        watcher.start()
        try:
            con.execute(
                "create table sorted as select 'customer ' || i as name, hash(i) as h "
                "from range(2000000) t(i) order by h"
            )
        finally:
            done.set()
            watcher.join()
    chunks = [chunk for chunk in seen if len(chunk) > 100_000]
    assert chunks, "the sort did not spill"
    assert all(len(zlib.compress(chunk)) > 0.99 * len(chunk) for chunk in chunks)


def test_the_run_lock_is_reentrant_within_a_process_and_held_until_the_outer_block_ends(
    tmp_path: Path,
):
    """``tiering run`` holds the lock around the job and the job's run resource takes it
    again: the inner block must not wait for its own process, and leaving it must not
    release the lock of the outer one."""
    probe = textwrap.dedent(f"""
        import fcntl
        with open({str(tmp_path / ".run.lock")!r}, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                print("free")
            except BlockingIOError:
                print("held")
    """)

    def state() -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    messages: list[str] = []
    with exclusive_run(tmp_path, say=messages.append):
        with exclusive_run(tmp_path, say=messages.append):
            assert state() == "held"
        assert state() == "held"  # the outer block still holds it
    assert state() == "free"
    assert messages == []  # never waited for itself


def test_a_run_launched_by_dagster_waits_for_the_run_lock_and_makes_the_home_private(
    tmp_path: Path,
):
    """Runs launched by the schedule, a sensor, a backfill or the UI do not go through
    ``tiering run``: their run resource takes the home's run lock (so a CLI run and a
    queued run never write the warehouse together) and makes what they write private."""
    import os
    import threading

    from orchestration.run.resource import TieringRun

    home = tmp_path / "home"
    holder = hold(f"""
        import time
        from pathlib import Path
        from orchestration.warehouse import exclusive_run
        with exclusive_run(Path({str(home)!r})):
            print("held", flush=True)
            time.sleep(1.5)
    """)
    entered = threading.Event()
    umask_in_run: list[int] = []
    previous = os.umask(0o022)

    def run() -> None:
        resource = TieringRun(home=str(home), landing=str(tmp_path / "landing"))
        with resource.process_config_and_initialize_cm():
            entered.set()
            umask_in_run.append(os.umask(0o027))

    try:
        thread = threading.Thread(target=run)
        started = time.monotonic()
        thread.start()
        assert not entered.wait(0.5)  # the CLI run holds the lock
        thread.join(timeout=30)
        assert entered.is_set() and time.monotonic() - started >= 1.0
    finally:
        os.umask(previous)
        holder.wait(timeout=10)
    assert umask_in_run == [0o027]  # files the run creates are not world-readable
