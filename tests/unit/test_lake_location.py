"""A landing location given as a lake URI (``s3a://…``): kept as written, read by the
Spark engine only, refused by name everywhere else. (Reading one through Spark is
tested in tests/spark/test_lake_landing.py.)"""

import datetime as dt
import hashlib
import io
from pathlib import Path

import dagster as dg
import pytest

from contracts.landing import SOURCES
from orchestration.cli import main
from orchestration.ingest.files import LandingFile, LandingFileError, detect_encoding
from orchestration.ingest.load import run_ingest
from orchestration.run.schedules import landing_sensor
from orchestration.settings import is_uri, resolve_paths


@pytest.mark.parametrize(
    ("location", "uri"),
    [
        ("s3a://bank-landing/tiering", True),
        ("abfss://landing@account.dfs.core.windows.net/tiering", True),
        ("file:///srv/landing", True),
        ("/srv/landing", False),
        ("landing", False),
        ("c:/landing", False),
        (Path("s3a://x/y"), False),  # a Path is a folder of this machine
    ],
)
def test_a_uri_is_told_from_a_folder(location, uri):
    assert is_uri(location) is uri


def test_a_landing_uri_is_kept_as_written(tmp_path, monkeypatch):
    # a Path would make it a folder named "s3a:" under the working folder
    paths = resolve_paths(tmp_path, "s3a://bank-landing/tiering/")
    assert paths.landing == "s3a://bank-landing/tiering"
    monkeypatch.setenv("TIERING_LANDING", " abfss://c@a.dfs.core.windows.net/t ")
    assert resolve_paths(tmp_path).landing == "abfss://c@a.dfs.core.windows.net/t"


@pytest.mark.parametrize(
    ("location", "local", "expected"),
    [
        ("/l/customers.csv", True, "file:/l/customers.csv"),
        # Spark's readers expand these as a pattern: escaped, each file reads itself
        ("/l/customers [1].csv", True, r"file:/l/customers \[1\].csv"),
        ("/l/c {a,b} *?.csv", True, r"file:/l/c \{a,b\} \*\?.csv"),
        ("/l/a\\b.csv", True, r"file:/l/a\\b.csv"),
        ("s3a://b/l/customers [1].csv", False, r"s3a://b/l/customers \[1\].csv"),
    ],
)
def test_spark_is_given_each_file_as_itself(location, local, expected):
    file = LandingFile(
        relative="x", size=1, mtime_ns=1, location=location, opener=None, is_local=local
    )
    assert file.spark_path == expected


def test_duckdb_refuses_a_lake_location_by_name(tmp_path):
    paths = resolve_paths(tmp_path, "s3a://bank-landing/tiering")
    with pytest.raises(
        LandingFileError, match=r"s3a://bank-landing/tiering is a URI.*--engine spark"
    ):
        run_ingest(paths, SOURCES["customers"], dt.date(2026, 10, 31), "r1", "duckdb")
    assert not paths.warehouse.exists()  # refused before anything was written


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--landing", "s3a://b/l"], "a lake is read by the Spark engine"),
        (["run", "--landing", "s3a://b/l", "--engine", "duckdb"], "--engine spark"),
        (["demo"], "the demo writes its data to a local folder"),
    ],
)
def test_the_cli_names_a_lake_location_it_cannot_use(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.setenv("TIERING_LANDING", "s3a://b/l")
    monkeypatch.delenv("TIERING_ENGINE", raising=False)
    assert main([*argv, "--home", str(tmp_path / "home")]) == 2
    err = capsys.readouterr().err
    assert "s3a://b/l is a URI" in err and message in err
    assert not (tmp_path / "home").exists()


def test_the_landing_sensor_leaves_a_lake_to_the_schedule(monkeypatch):
    monkeypatch.setenv("TIERING_LANDING", "s3a://b/l")
    result = landing_sensor(dg.build_sensor_context(cursor=None))
    assert isinstance(result, dg.SkipReason)
    assert "s3a://b/l is a lake location" in result.skip_message


@pytest.mark.parametrize(
    ("text", "encoding", "reads"),
    [("客户,金额\n", "utf-8", 1), ("客户,金额\n", "gb18030", 2)],
)
def test_the_encoding_check_gives_the_sha256_of_its_first_read(text, encoding, reads):
    """A file in a lake is streamed through the JVM: its encoding and its sha256 come
    from one read (a second only for a fallback encoding)."""
    data = ("customer_id,name\n" + text * 1000).encode(encoding)
    opened = []

    def opener():
        opened.append(1)
        return io.BytesIO(data)

    file = LandingFile(
        relative="customers.csv", size=len(data), mtime_ns=1, location="x", opener=opener
    )
    assert detect_encoding(file, None) == (encoding, hashlib.sha256(data).hexdigest())
    assert len(opened) == reads
