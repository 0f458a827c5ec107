"""The run report in a real browser: Debian's headless Chromium opens report.html from
disk with every network name unresolvable, every chart is drawn (a non-empty box with
non-empty shapes), nothing fails to load, no script error; a screenshot of each report
is kept under test-artefacts/ (CI keeps that folder).

``make test-ui`` runs this lane (``.ci/run`` calls it after ``make test``); it installs
the ``chromium`` package with apt-get when it is missing (nothing downloads a browser
of its own). The reports are those of the lane's two runs (tests/ui/conftest.py).
"""

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from orchestration.publish.report import REPORT

pytestmark = pytest.mark.ui

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts"
#: recorded before anything else of the page runs: script errors and failed loads
WATCH = """<script>window.__errors = [];
addEventListener('error', e => __errors.push(String(e.message || (e.target && (e.target.src
  || e.target.href)) || e.type)), true);</script>"""
#: after the page: the drawn box and the non-empty shapes of every chart
CHECK = """<script>
const charts = [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const shapes = [...svg.querySelectorAll('rect')].filter(r => {
    const b = r.getBBox(); return b.width > 0 && b.height > 0; }).length;
  return {name: svg.dataset.chart, width: box.width, height: box.height, shapes: shapes};
});
document.body.setAttribute('data-check', JSON.stringify({charts: charts, errors: __errors}));
</script>"""


def chromium() -> str:
    """Debian's Chromium; installed with apt-get when missing."""
    found = shutil.which("chromium")
    if found:
        return found
    for command in (
        ["apt-get", "install", "-y", "-q", "chromium"],
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "chromium"],
    ):
        subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
        if shutil.which("chromium"):
            return shutil.which("chromium")
    pytest.fail("the browser tests need Debian's chromium package: apt-get install chromium")


def browse(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",  # the tests may run as root
            "--disable-gpu",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: no name resolves
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("clearance", ["general", "restricted"])
def test_the_report_opens_offline_with_every_chart_drawn(nightly_runs, clearance, tmp_path):
    report = nightly_runs.home / "published" / clearance / REPORT
    text = report.read_text(encoding="utf-8")
    expected = re.findall(r'<svg class="chart" data-chart="([^"]+)"', text)
    assert len(expected) > 40  # distributions, cross-tab, migrations, trends
    probe = tmp_path / "probe.html"
    probe.write_text(
        text.replace("<head>", "<head>" + WATCH, 1).replace("</body>", CHECK + "</body>", 1),
        encoding="utf-8",
    )
    done = browse("--dump-dom", probe.as_uri())
    assert done.returncode == 0, done.stderr[-3000:]
    found = re.search(r'data-check="([^"]*)"', done.stdout)
    assert found, done.stdout[:2000]
    result = json.loads(html.unescape(found.group(1)))
    assert result["errors"] == []
    drawn = {c["name"]: c for c in result["charts"]}
    assert sorted(drawn) == sorted(expected)
    empty = [
        n for n, c in drawn.items() if not (c["width"] > 0 and c["height"] > 0 and c["shapes"])
    ]
    assert empty == []
    logged = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert logged == [], logged

    ARTEFACTS.mkdir(exist_ok=True)
    shot = ARTEFACTS / f"report-{clearance}.png"
    shot.unlink(missing_ok=True)
    done = browse("--window-size=1280,6000", f"--screenshot={shot}", report.as_uri())
    assert done.returncode == 0, done.stderr[-3000:]
    assert shot.stat().st_size > 50_000  # a page of charts, not a blank one
