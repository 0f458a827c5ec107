"""``make bi``: Apache Superset on the general artefact, with the "Customer tiers"
dashboard.

Superset lives in its own virtualenv (``.venv-bi``, installed by ``make bi`` from
``orchestration/bi/requirements.lock``) and reads its configuration from
``orchestration/bi/superset_config.py``. This module runs in the project's virtualenv
and drives it:

1. :func:`prepare_home` writes ``$TIERING_HOME/bi/`` (private): Superset's secret key
   and admin password (generated per home, 0600) and the general artefact's key,
   released to the BI principal through its grant (``tiering access key``: an active
   general grant is required, the release is logged);
2. :func:`provision` creates or upgrades Superset's metadata database, the admin user
   and the roles, and imports the dashboard bundle of ``orchestration/bi/dashboard/``
   (database, datasets, charts, dashboard; overwritten on every start, so the files in
   the repository are the dashboard);
3. :func:`start` serves Superset on localhost.

``python -m orchestration.bi.superset --as <principal> [--port 8088]`` does all three
and serves until interrupted.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from orchestration.security.stores import write_private
from orchestration.settings import Paths, resolve_paths

BI_PACKAGE = Path(__file__).resolve().parent
CONFIG = BI_PACKAGE / "superset_config.py"
BUNDLE = BI_PACKAGE / "dashboard"
DASHBOARD_SLUG = "customer-tiers"
ADMIN_USER = "admin"
DEFAULT_PORT = 8088
#: Superset's virtualenv, beside the project's (make bi creates it)
DEFAULT_VENV = Path(os.environ.get("TIERING_BI_VENV", ".venv-bi"))


class BiSetupError(RuntimeError):
    """Superset cannot be set up; the message says what to do."""


@dataclass(frozen=True)
class BiHome:
    """What ``make bi`` keeps under ``$TIERING_HOME/bi``."""

    paths: Paths

    @property
    def folder(self) -> Path:
        return self.paths.home / "bi"

    @property
    def admin_password_file(self) -> Path:
        return self.folder / "admin_password"

    @property
    def artefact(self) -> Path:
        return self.paths.published / "general" / "tiers.duckdb"

    def admin_password(self) -> str:
        return self.admin_password_file.read_text(encoding="utf-8").strip()


def prepare_home(paths: Paths, principal: str) -> BiHome:
    """Write Superset's private files under ``$TIERING_HOME/bi``; release the general
    key to ``principal`` (who must hold an active general grant; the release is
    logged)."""
    from orchestration.security.access import AccessRefused, release_key

    bi = BiHome(paths)
    if not bi.artefact.exists():
        raise BiSetupError(f"no general artefact at {bi.artefact}: run `make run` first")
    bi.folder.mkdir(parents=True, exist_ok=True)
    bi.folder.chmod(0o700)
    for name in ("secret_key", "admin_password"):
        if not (bi.folder / name).exists():
            write_private(bi.folder / name, secrets.token_urlsafe(32) + "\n")
    try:
        key = release_key(paths, principal, "general")
    except AccessRefused as exc:
        raise BiSetupError(
            f"{exc}\nSuperset reads the general artefact as a principal with an active "
            "general grant. Once, for a service principal (see README, Connect a BI tool):\n"
            "  tiering access principal --id svc-superset --name Superset --department <dept>\n"
            "  tiering access request --grantee svc-superset --clearance general "
            "--by <you> --purpose 'BI dashboards'\n"
            "  tiering access approve --grant <id> --by <a colleague of the department> "
            "--role department\n"
            "then: make bi BI_AS=svc-superset"
        ) from exc
    write_private(bi.folder / "general.key", key + "\n")
    return bi


def superset_env(paths: Paths) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERSET_")}
    env.update(
        SUPERSET_CONFIG_PATH=str(CONFIG),
        TIERING_HOME=str(paths.home),
        FLASK_APP="superset",
    )
    return env


def _bundle_zip(bi: BiHome) -> Path:
    """The dashboard bundle as Superset's import format: one folder in a zip."""
    target = bi.folder / "customer_tiers_dashboard.zip"
    with zipfile.ZipFile(target, "w") as zf:
        for path in sorted(BUNDLE.rglob("*.yaml")):
            zf.write(path, f"customer_tiers_dashboard/{path.relative_to(BUNDLE).as_posix()}")
    target.chmod(0o600)
    return target


def _superset(venv: Path, paths: Paths, *args: str) -> None:
    command = [str(venv / "bin" / "superset"), *args]
    done = subprocess.run(
        command, env=superset_env(paths), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise BiSetupError(f"`superset {' '.join(args[:1])}` failed ({done.returncode}):\n{tail}")


def provision(bi: BiHome, venv: Path = DEFAULT_VENV, say=print) -> None:
    """Superset's metadata, admin user, roles and the imported dashboard."""
    if not (venv / "bin" / "superset").exists():
        raise BiSetupError(f"no Superset in {venv}: `make bi` installs it")
    say("superset: upgrading its metadata database")
    _superset(venv, bi.paths, "db", "upgrade")
    say("superset: admin user and roles")
    _superset(
        venv,
        bi.paths,
        "fab",
        "create-admin",
        "--username",
        ADMIN_USER,
        "--firstname",
        "Tiering",
        "--lastname",
        "Admin",
        "--email",
        "admin@localhost",
        "--password",
        bi.admin_password(),
    )
    _superset(venv, bi.paths, "init")
    say("superset: importing the Customer tiers dashboard")
    _superset(
        venv,
        bi.paths,
        "import-dashboards",
        "--path",
        str(_bundle_zip(bi)),
        "--username",
        ADMIN_USER,
    )


def start(bi: BiHome, port: int = DEFAULT_PORT, venv: Path = DEFAULT_VENV, log=None):
    """Serve Superset on 127.0.0.1:``port``; returns the process (its own session, so
    :func:`stop` ends it and its workers)."""
    return subprocess.Popen(
        [
            str(venv / "bin" / "superset"),
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--with-threads",
        ],
        env=superset_env(bi.paths),
        stdout=log or None,
        stderr=subprocess.STDOUT if log else None,
        start_new_session=True,
    )


def wait_until_up(url: str, process: subprocess.Popen, timeout_s: float = 180) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BiSetupError(f"Superset exited ({process.returncode}) before answering")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    raise BiSetupError(f"Superset did not answer on {url} within {timeout_s:.0f} s")


def stop(process: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.bi.superset",
        description="Apache Superset on the general artefact, with the Customer tiers "
        "dashboard (make bi).",
    )
    parser.add_argument(
        "--as", dest="principal", required=True, help="principal with a general grant"
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--home", type=Path, help="default: $TIERING_HOME or ./data")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="Superset's virtualenv")
    args = parser.parse_args(argv)
    paths = resolve_paths(args.home)
    try:
        bi = prepare_home(paths, args.principal)
        provision(bi, args.venv)
        url = f"http://127.0.0.1:{args.port}"
        process = start(bi, args.port, args.venv)
        wait_until_up(url, process)
    except BiSetupError as exc:
        print(f"make bi: {exc}", file=sys.stderr)
        return 1
    print(
        f"Superset: {url}/superset/dashboard/{DASHBOARD_SLUG}/ (user {ADMIN_USER}, "
        f"password in {bi.admin_password_file}); Ctrl-C stops it"
    )
    try:
        process.wait()
    except KeyboardInterrupt:
        stop(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
