"""A rule is changed by editing its seed CSV and nothing else.

On a copy of the dbt project (``TIERING_DBT_PROJECT``), the 6-star band of the star
points is split in two and a band is added to the contribution tier; the nightly job
then passes every check and publishes the new codes, ranked in order.
"""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.transform.project import project_dir
from tests.conftest import AS_OF, query


def _rewrite(seed: Path, edit) -> None:
    with seed.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    rows = edit(rows)
    with seed.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _split_six_star(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        rank = int(row["tier_rank"])
        if row["tier_code"] == "STAR_6":
            upper = dict(
                row,
                tier_code="STAR_6_PLUS",
                label_zh="六星级（高）",
                label_en="6-star plus",
                lower_bound="20000",
            )
            lower = dict(row, tier_code="STAR_6", tier_rank=str(rank + 1), upper_bound="20000")
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


def test_splitting_and_adding_bands_needs_only_the_csv(nightly_run, tmp_path):
    project = tmp_path / "rules"
    shutil.copytree(project_dir(), project, ignore=shutil.ignore_patterns("target", "logs"))
    _rewrite(project / "seeds" / "star_level_bands.csv", _split_six_star)
    _rewrite(project / "seeds" / "contribution_tier_bands.csv", _add_top_contribution_band)

    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIERING_", "DAGSTER_"))}
    env["TIERING_DBT_PROJECT"] = str(project)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "run",
            "--home",
            str(home),
            "--landing",
            str(nightly_run.landing),
            "--as-of",
            str(AS_OF),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert "checks: " in proc.stdout and " 0 failed" in proc.stdout

    artefact = home / "published" / "tiers.duckdb"
    stars = dict(
        query(artefact, "select tier_code, min(tier_rank) from customer_star_tier group by 1")
    )
    assert stars["STAR_7"] == 1 and stars["STAR_6_PLUS"] == 2 and stars["STAR_6"] == 3
    assert stars["STAR_5"] == 4
    points = query(
        artefact,
        "select min(star_points), max(star_points) "
        "from customer_star_tier where tier_code = 'STAR_6_PLUS'",
    )[0]
    assert points[0] >= 20000 and points[1] < 80000
    wide = {r[0] for r in query(artefact, "select distinct star_level_code from customer_tiers")}
    assert "STAR_6_PLUS" in wide
    contribution = dict(
        query(
            artefact, "select tier_code, min(tier_rank) from customer_contribution_tier group by 1"
        )
    )
    assert contribution.get("HIGH") == 2 and contribution.get("LOW") == 4
    # the original project is untouched: its own run still has the old bands
    original = {
        r[0]
        for r in query(nightly_run.artefact, "select distinct tier_code from customer_star_tier")
    }
    assert "STAR_6_PLUS" not in original and "STAR_6" in original
