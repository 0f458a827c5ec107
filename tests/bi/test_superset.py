"""``make bi`` end to end (``make test-bi``): Apache Superset from its own virtualenv on
the general artefact of two nightly runs, the dashboard imported from the bundle in
the repository, opened in headless Chromium (Debian's package) by a user who logs in.

Checks: the key reached Superset through a grant (and the release is logged); every
chart of the dashboard asked for its data and got rows; every chart drew (an ECharts
canvas with a size) and none shows an error; the browser loaded nothing from outside
the server (Superset's telemetry pixel is refused by the content security policy of
superset_config.py); a screenshot is kept in test-artefacts/.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from orchestration.bi import superset as bi
from orchestration.demo import generate
from orchestration.security import access_log, governance
from orchestration.settings import resolve_paths
from tests.conftest import free_port, run_job
from tests.ui.test_report_browser import ARTEFACTS, chromium

pytestmark = pytest.mark.bi

MONTH_ENDS = ("2026-09-30", "2026-10-31")
CHARTS = 4
PRINCIPAL = "svc-superset"


@pytest.fixture(scope="module")
def superset(tmp_path_factory):
    base = tmp_path_factory.mktemp("bi")
    landing, home = base / "landing", base / "home"
    generate(landing, customers=150, months=12, seed=11, as_of=dt.date(2026, 10, 31))
    for as_of in MONTH_ENDS:
        run = run_job(home, landing, as_of, dbt_tests=False)
        assert run.exit_code == 0, run.output[-4000:]
    paths = resolve_paths(home, landing)
    # the BI service principal and its general grant, approved in its department
    governance.add_principal(paths, "lead", "Lead", "analytics", department_head=True)
    governance.add_principal(paths, "peer", "Peer", "analytics")
    governance.add_principal(paths, PRINCIPAL, "Superset", "analytics")
    grant = governance.request_grant(paths, PRINCIPAL, "general", "lead", "BI dashboards")
    governance.approve(paths, grant, "peer", "department")

    venv = Path(os.environ.get("TIERING_BI_VENV", ".venv-bi"))
    files = bi.prepare_home(paths, PRINCIPAL)
    bi.provision(files, venv)
    port = free_port()
    log = (base / "superset.log").open("w")
    process = bi.start(files, port, venv, log=log)
    url = f"http://127.0.0.1:{port}"
    try:
        bi.wait_until_up(url, process)
        yield paths, files, url
    finally:
        bi.stop(process)
        log.close()


def test_the_general_key_reaches_superset_through_a_grant_and_is_logged(superset):
    paths, files, _ = superset
    key_file = files.folder / "general.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert (files.folder / "secret_key").stat().st_mode & 0o777 == 0o600
    releases = [
        e for e in access_log.entries(paths) if e.kind == "key_release" and e.actor == PRINCIPAL
    ]
    assert len(releases) == 1 and releases[0].details["clearance"] == "general"


def test_the_dashboard_draws_every_chart_with_data(superset):
    from playwright.sync_api import sync_playwright

    _, files, url = superset
    responses, console_errors, external = [], [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1400})
            page.on(
                "console",
                lambda m: console_errors.append(m.text) if m.type == "error" else None,
            )
            page.on(
                "response",
                lambda r: responses.append(r) if "/api/v1/chart/data" in r.url else None,
            )
            # a request to another host that was not refused by the policy left the machine
            page.on(
                "requestfinished",
                lambda r: (
                    external.append(r.url)
                    if not r.url.startswith((url, "data:", "blob:"))
                    else None
                ),
            )
            page.goto(f"{url}/login/")
            page.fill("input#username", bi.ADMIN_USER)
            page.fill("input#password", files.admin_password())
            page.click("button[type=submit]")
            page.wait_for_url(lambda u: "/login" not in u, timeout=60_000)
            page.goto(f"{url}/superset/dashboard/{bi.DASHBOARD_SLUG}/")
            # every chart of the dashboard has drawn its canvas
            page.wait_for_function(
                f"""() => {{
                    const canvases = [...document.querySelectorAll('.chart-container canvas')]
                        .filter(c => c.width > 0 && c.height > 0);
                    return canvases.length >= {CHARTS};
                }}""",
                timeout=120_000,
            )
            page.wait_for_load_state("networkidle")
            ARTEFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTEFACTS / "superset_dashboard.png"), full_page=True)
            errors_shown = page.locator(".chart-container [role=alert], .ant-alert-error").count()
            rows = []
            for response in responses:
                assert response.ok, (response.url, response.status, response.text()[:500])
                rows.extend(r["rowcount"] for r in json.loads(response.body())["result"])
        finally:
            browser.close()
    assert errors_shown == 0
    assert len(rows) >= CHARTS and all(n > 0 for n in rows), rows
    assert external == []
    # the only errors are the policy refusing the telemetry pixel
    assert all("Content Security Policy" in e for e in console_errors), console_errors
