"""Warehouse access: lock conflicts are retried with backoff; runs exclude each other."""

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
