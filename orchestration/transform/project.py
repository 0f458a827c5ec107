"""Where the dbt project is, and its parsed manifest.

The dbt project ships inside the Python package (``orchestration/transform/dbt_project``
in a wheel, mapped from the repository's top-level ``dbt_project/`` by
``pyproject.toml``); in a source checkout the top-level folder is used. Nothing
else reads the source tree. ``TIERING_DBT_PROJECT`` points the job at a copy of the
project instead, e.g. one whose rule seeds a bank has changed.

dagster-dbt needs the parsed manifest when the code location is loaded. It is
prepared (``dbt parse``) on first use and again whenever a project file changed:
a fingerprint of the project's files is stored beside the manifest. The target
folder is the project's own ``target/`` when that is writable (a checkout, a venv)
and a per-user cache folder otherwise (a read-only image).
"""

from __future__ import annotations

import hashlib
import logging
import os
from functools import cache
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
#: in an installed wheel the project is package data beside this module; in a source
#: checkout it is the repository's top-level folder.
PACKAGED_DIR = _HERE / "dbt_project"
SOURCE_DIR = _HERE.parent.parent / "dbt_project"

#: the files that make up the project (what dbt parses), for the fingerprint.
_PROJECT_GLOBS = (
    "dbt_project.yml",
    "profiles.yml",
    "models/**/*",
    "seeds/**/*",
    "macros/**/*",
    "tests/**/*",
    "plugins/*.py",
)
_FINGERPRINT = "tiering_fingerprint.txt"


class DbtProjectNotFoundError(RuntimeError):
    pass


@cache
def project_dir() -> Path:
    """The dbt project: ``TIERING_DBT_PROJECT`` if set (a copy with your own rules),
    else the one in the package, else the source checkout's."""
    override = os.environ.get("TIERING_DBT_PROJECT")
    if override:
        path = Path(override).resolve()
        if not (path / "dbt_project.yml").is_file():
            raise DbtProjectNotFoundError(
                f"TIERING_DBT_PROJECT={override}: no dbt_project.yml in {path}"
            )
        return path
    for candidate in (PACKAGED_DIR, SOURCE_DIR):
        if (candidate / "dbt_project.yml").is_file():
            return candidate
    raise DbtProjectNotFoundError(
        f"the dbt project is missing: looked for dbt_project.yml in {PACKAGED_DIR} "
        f"(installed package) and {SOURCE_DIR} (source checkout); reinstall the package"
    )


def project_files(root: Path) -> list[Path]:
    files = {p for pattern in _PROJECT_GLOBS for p in root.glob(pattern) if p.is_file()}
    return sorted(p for p in files if "__pycache__" not in p.parts)


def fingerprint(root: Path) -> str:
    """sha256 over the project's file names and contents."""
    digest = hashlib.sha256()
    for path in project_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _writable(folder: Path) -> bool:
    probe = folder if folder.exists() else folder.parent
    return os.access(probe, os.W_OK)


def target_dir(root: Path | None = None) -> Path:
    root = root or project_dir()
    own = root / "target"
    if _writable(own):
        return own
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "customer-tiering-warehouse" / fingerprint(root)[:16] / "target"


def manifest_is_current(target: Path, root: Path) -> bool:
    stamp = target / _FINGERPRINT
    return (
        (target / "manifest.json").is_file()
        and stamp.is_file()
        and stamp.read_text().strip() == fingerprint(root)
    )


@cache
def dbt_project_yml() -> dict:
    with (project_dir() / "dbt_project.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def dbt_executable() -> str:
    """The dbt installed beside this Python (the venv), so an unactivated venv works."""
    import sys

    for candidate in (Path(sys.prefix) / "bin" / "dbt", Path(sys.executable).parent / "dbt"):
        if candidate.exists():
            return str(candidate)
    return "dbt"


def dbt_command(args: list[str], target: Path, root: Path | None = None) -> list[str]:
    """A dbt command line on the project ``root`` (default: the project of this
    install), its profile beside it, with ``target`` for dbt's artefacts and log.
    Run it with ``cwd=root``: the profile's plugin is found relative to it."""
    root = root or project_dir()
    return [
        dbt_executable(),
        *args,
        "--project-dir",
        str(root),
        "--profiles-dir",
        str(root),
        "--target-path",
        str(target),
        "--log-path",
        str(target),
    ]


def prepare_manifest(root: Path | None = None, *, force: bool = False) -> Path:
    """Parse the dbt project unless its manifest is current; return the manifest path.

    Several processes may start at once (test workers, a UI and a CLI run): the parse
    runs under a file lock, and a process that waited finds the manifest current.
    """
    import fcntl
    import subprocess

    root = root or project_dir()
    target = target_dir(root)
    if not force and manifest_is_current(target, root):
        return target / "manifest.json"
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".prepare.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and manifest_is_current(target, root):
            return target / "manifest.json"
        log.warning(
            "preparing the dbt manifest in %s (first use or the project changed); "
            "this takes a few seconds",
            target,
        )
        stamp = fingerprint(root)
        cmd = dbt_command(["parse", "--quiet"], target, root)
        done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not (target / "manifest.json").is_file():
            raise RuntimeError(
                f"`dbt parse` of {root} failed (exit {done.returncode}):\n"
                f"{(done.stdout + done.stderr).strip()[-4000:]}"
            )
        (target / _FINGERPRINT).write_text(stamp + "\n")
    return target / "manifest.json"


def main() -> int:
    """``python -m orchestration.transform.project``: prepare the manifest (used by make)."""
    path = prepare_manifest()
    print(f"dbt manifest ready: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
