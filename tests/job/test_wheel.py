"""The package as a user installs it: build the wheel, install it into a fresh venv,
run ``tiering`` from another folder, away from the source tree, with a rule changed
the way a bank changes one: in a copy of the packaged dbt project
(``TIERING_DBT_PROJECT``), by editing a seed CSV and nothing else.

The wheel itself is installed into the new venv; its dependencies are the ones of
this project's venv, made visible through a ``.pth`` line instead of being
installed again (a full install takes a minute and proves pip, not the package).
A ``.pth`` line adds a folder to ``sys.path`` without running the ``.pth`` files in
it, so this checkout's editable install is not visible: ``orchestration`` can only
come from the wheel.
"""

import csv
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import AS_OF, query

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
        "plugins/tiering_encryption.py",
    ):
        assert project + needed in names, needed
    assert not [n for n in names if "/target/" in n or "/logs/" in n or ".egg-info" in n]
    assert "tests/conftest.py" not in names


def _rewrite(seed: Path, edit) -> None:
    with seed.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows = edit(rows)
    with seed.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _split_six_star(rows: list[dict], at: int) -> list[dict]:
    out = []
    for row in rows:
        rank = int(row["tier_rank"])
        if row["tier_code"] == "STAR_6":
            upper = dict(
                row,
                tier_code="STAR_6_PLUS",
                label_zh="六星级（高）",
                label_en="6-star plus",
                lower_bound=str(at),
            )
            lower = dict(row, tier_code="STAR_6", tier_rank=str(rank + 1), upper_bound=str(at))
            out += [upper, lower]
        else:
            out.append(dict(row, tier_rank=str(rank + 1)) if rank > 2 else row)
    return out


def _add_top_contribution_band(rows: list[dict]) -> list[dict]:
    top = next(r for r in rows if r["tier_rank"] == "1")
    new_top = dict(top, tier_code="TOP", label_zh="顶级", label_en="Top", lower_bound="200000")
    capped = dict(top, upper_bound="200000", upper_inclusive="false")
    return [new_top] + [
        dict(capped if r is top else r, tier_rank=str(int(r["tier_rank"]) + 1)) for r in rows
    ]


def test_installed_wheel_runs_the_job_from_another_folder_with_rules_changed_in_csv(
    wheel, tmp_path, nightly_run
):
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
    generated = elsewhere / "generated"
    _run(
        [str(tiering), "generate", "--out", str(generated), "--customers", "20", "--months", "2"],
        cwd=elsewhere,
        env=env,
    )
    assert (generated / "customers.csv").is_file()

    # the bank's own rules: a copy of the packaged project with two seeds edited
    rules = elsewhere / "rules"
    shutil.copytree(
        new_site / "orchestration" / "transform" / "dbt_project",
        rules,
        ignore=shutil.ignore_patterns("target", "logs"),
    )
    # split the 6-star band where the test data has customers on both sides
    six = sorted(
        p
        for (p,) in query(
            nightly_run.artefact,
            "select star_points from customer_star_tier where tier_code = 'STAR_6'",
        )
    )
    assert len(six) >= 2
    at = int(six[len(six) // 2])
    _rewrite(rules / "seeds" / "star_level_bands.csv", lambda rows: _split_six_star(rows, at))
    _rewrite(rules / "seeds" / "contribution_tier_bands.csv", _add_top_contribution_band)

    home = elsewhere / "home"
    done = _run(
        [
            str(tiering),
            "run",
            "--landing",
            str(nightly_run.landing),
            "--home",
            str(home),
            "--as-of",
            str(AS_OF),
        ],
        cwd=elsewhere,
        env={**env, "TIERING_DBT_PROJECT": str(rules)},
    )
    assert "SUCCEEDED" in done.stdout and " 0 failed" in done.stdout, done.stdout[-3000:]

    artefact = home / "published" / "confidential" / "tiers.duckdb"
    stars = dict(
        query(artefact, "select tier_code, min(tier_rank) from customer_star_tier group by 1")
    )
    assert (stars["STAR_7"], stars["STAR_6_PLUS"], stars["STAR_6"], stars["STAR_5"]) == (1, 2, 3, 4)
    low, high = query(
        artefact,
        "select min(star_points), max(star_points) "
        "from customer_star_tier where tier_code = 'STAR_6_PLUS'",
    )[0]
    assert low >= at and high < 80000
    wide = {r[0] for r in query(artefact, "select distinct star_level_code from customer_tiers")}
    assert "STAR_6_PLUS" in wide
    contribution = dict(
        query(
            artefact, "select tier_code, min(tier_rank) from customer_contribution_tier group by 1"
        )
    )
    assert contribution.get("HIGH") == 2 and contribution.get("LOW") == 4
    # everything else is as the project's own rules rate it
    assert (
        query(artefact, "select count(*) from customer_star_tier")[0][0]
        == query(nightly_run.artefact, "select count(*) from customer_star_tier")[0][0]
    )
    original = {
        r[0]
        for r in query(nightly_run.artefact, "select distinct tier_code from customer_star_tier")
    }
    assert "STAR_6_PLUS" not in original and "STAR_6" in original
