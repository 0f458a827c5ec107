"""``tiering docs`` before any run: a clear message, exit 1, nothing started."""

from orchestration.cli import main


def test_docs_without_a_warehouse_says_to_run_first(tmp_path, capsys):
    assert main(["docs", "--home", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"no warehouse at {tmp_path / 'warehouse.duckdb'}" in err
    assert "run `tiering run` first" in err
    assert not (tmp_path / "dbt").exists()
