"""The package as a user installs it: build the wheel, install it into a fresh venv,
run ``tiering`` from another folder, away from the source tree.

The wheel itself is installed into the new venv; its dependencies are the ones of
this project's venv, made visible through a ``.pth`` line instead of being
installed again (a full install takes a minute and proves pip, not the package).
A ``.pth`` line adds a folder to ``sys.path`` without running the ``.pth`` files in
it, so this checkout's editable install is not visible: ``orchestration`` can only
come from the wheel.
"""

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600
) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Build from a clean copy: setuptools reuses a build/ folder and would carry files
    # deleted from the tree since the last build into the wheel.
    source = tmp_path_factory.mktemp("source") / "project"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "dist",
            "data",
            "target",
            "logs",
            "*.egg-info",
            "__pycache__",
            ".pytest_cache",
            ".ruff_cache",
        ),
    )
    out = tmp_path_factory.mktemp("dist")
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
        cwd=out,
    )
    (built,) = out.glob("customer_tiering_warehouse-*.whl")
    return built


def test_the_wheel_carries_the_dbt_project_and_nothing_built(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    project = "orchestration/transform/dbt_project/"
    for needed in (
        "dbt_project.yml",
        "profiles.yml",
        "seeds/star_level_bands.csv",
        "models/tiers/customer_star_tier.sql",
        "macros/as_of_date.sql",
        "plugins/tiering_pii.py",
    ):
        assert project + needed in names, needed
    assert not [n for n in names if "/target/" in n or "/logs/" in n or ".egg-info" in n]
    assert "tests/conftest.py" not in names


def test_installed_wheel_runs_the_job_from_another_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run(
        [
            getattr(sys, "_base_executable", sys.executable),
            "-m",
            "venv",
            "--without-pip",
            str(venv),
        ],
        cwd=tmp_path,
    )
    new_site = Path(
        _run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            cwd=tmp_path,
        ).stdout.strip()
    )
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (new_site / "project_dependencies.pth").write_text("\n".join(deps) + "\n")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(new_site),
            str(wheel),
        ],
        cwd=tmp_path,
    )
    # pip --target does not write console scripts: call the entry point as pip would
    tiering = venv / "bin" / "tiering"
    tiering.write_text(
        f"#!{venv / 'bin' / 'python'}\nimport sys\n"
        "from orchestration.cli import main\nsys.exit(main())\n"
    )
    tiering.chmod(0o755)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TIERING_", "DAGSTER_", "DBT_", "PYTHON"))
    }
    # dbt comes from the dependencies' venv, as the dependency of a full install would
    env["PATH"] = f"{venv / 'bin'}:{Path(sys.executable).parent}:{env.get('PATH', '')}"
    where = _run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import orchestration, contracts.marts; print(orchestration.__file__)",
        ],
        cwd=elsewhere,
        env=env,
    ).stdout.strip()
    assert where.startswith(str(new_site)), where

    landing, home = elsewhere / "landing", elsewhere / "home"
    _run(
        [str(tiering), "generate", "--out", str(landing), "--customers", "150", "--months", "3"],
        cwd=elsewhere,
        env=env,
    )
    done = _run(
        [
            str(tiering),
            "run",
            "--landing",
            str(landing),
            "--home",
            str(home),
            "--as-of",
            "2026-10-31",
        ],
        cwd=elsewhere,
        env=env,
    )
    assert "SUCCEEDED" in done.stdout, done.stdout[-3000:]
    with duckdb.connect(str(home / "published" / "tiers.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from customer_star_tier").fetchone()[0] > 100
        assert str(con.execute("select as_of_date from _publication").fetchone()[0]) == (
            "2026-10-31"
        )
