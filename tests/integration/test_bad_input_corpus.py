"""The bad-input corpus: every case under tests/bad_input/ ends with its documented outcome.

Each case folder is a landing folder plus ``expected.json``:
- ``outcome: ok | quarantine`` — the source loads; ``loaded`` rows reach raw, the
  ``quarantined`` reasons are counted exactly, and rows are conserved
  (read = loaded + quarantined + duplicates);
- ``outcome: fail`` — the source's ingest fails with ``message`` (naming the file and
  the column); see tests/test_ingest.py for the previous raw table being kept.

Every case runs with DuckDB reading the files (``make test``) and with Spark reading
them (``engine="spark"``, marker ``spark``: ``make test-spark``): the outcome is the same.
"""

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from contracts.landing import SOURCES
from orchestration.ingest.files import LandingFileError
from orchestration.ingest.load import run_ingest
from orchestration.security.keys import KeyStore
from orchestration.security.tokens import token
from orchestration.settings import resolve_paths
from tests.conftest import open_db

CORPUS = Path(__file__).parent.parent / "bad_input"
AS_OF = dt.date(2026, 10, 31)
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").exists())


ENGINES = ("duckdb", pytest.param("spark", marks=pytest.mark.spark))


def ingest(landing: Path, warehouse: Path, source: str, engine: str = "duckdb"):
    paths = resolve_paths(warehouse.parent, landing)
    if source != "customers":
        run_ingest(paths, SOURCES["customers"], AS_OF, "corpus", engine)
    return run_ingest(paths, SOURCES[source], AS_OF, "corpus", engine)


def test_the_corpus_covers_every_reason_code():
    from orchestration.ingest.load import REASONS

    covered = {
        code.split(":")[0]
        for case in CASES
        for code in json.loads((CORPUS / case / "expected.json").read_text()).get("quarantined", {})
    }
    # INVALID_BOOLEAN and OUT_OF_RANGE are covered in tests/test_ingest.py
    assert set(REASONS) - covered <= {"INVALID_BOOLEAN", "OUT_OF_RANGE"}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CASES)
def test_case(case: str, engine: str, tmp_path: Path):
    expected = json.loads((CORPUS / case / "expected.json").read_text(encoding="utf-8"))
    landing = tmp_path / "landing"
    shutil.copytree(CORPUS / case, landing, ignore=shutil.ignore_patterns("expected.json"))
    warehouse = tmp_path / "warehouse.duckdb"
    source = expected["source"]
    if expected["outcome"] == "fail":
        with pytest.raises(LandingFileError) as err:
            ingest(landing, warehouse, source, engine)
        assert expected["message"] in str(err.value)
        return
    result = ingest(landing, warehouse, source, engine)
    assert result.rows_loaded == expected["loaded"]
    assert result.rows_duplicate == expected.get("duplicates", 0)
    assert result.rows_read == (
        result.rows_loaded + result.rows_quarantined + result.rows_duplicate
    )
    assert result.extra_columns == expected.get("extra_columns", [])
    with open_db(warehouse) as con:
        reasons = dict(
            con.execute(f"select reason, count(*) from quarantine.{source} group by 1").fetchall()
        )
        assert reasons == expected["quarantined"]
        if "value" in expected:
            column, value = expected["value"]
            if SOURCES[source].column(column).info_class == "A":
                # a class A value is stored as its token; the value is in the vault
                column = SOURCES[source].column(column).stored_name
                value = token(KeyStore(warehouse.parent).key("pii"), value)
            assert (
                con.execute(
                    f"select {column} from raw.{source} order by _source_row limit 1"
                ).fetchone()[0]
                == value
            )
