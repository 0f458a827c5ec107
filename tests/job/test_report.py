"""The run report (published/<clearance>/report.html) of the shared nightly run: one per
clearance, private, every scheme charted with the artefact's own counts, aggregates
only (no customer key of any form), small counts hidden in the general report, and
the run's checks listed. That it renders in a browser: test_report_browser."""

import re

from orchestration.publish.clearances import K_ANONYMITY
from orchestration.publish.report import REPORT
from orchestration.security.keys import CLEARANCES
from orchestration.transform.registry import tier_schemes
from tests.conftest import open_db

CHART = re.compile(r'<svg class="chart" data-chart="([^"]+)"')
BAR = re.compile(r"<title>([A-Za-z0-9_]+): ([0-9,]+|&lt; \d+)</title>")


def report_of(run, clearance: str) -> str:
    return (run.home / "published" / clearance / REPORT).read_text(encoding="utf-8")


def chart(report: str, name: str) -> str:
    start = report.index(f'data-chart="{name}"')
    return report[start : report.index("</svg>", start)]


def shown(report: str, scheme: str) -> dict[str, str]:
    """{tier code: the count the distribution chart of ``scheme`` shows}"""
    return dict(BAR.findall(chart(report, f"distribution-{scheme}")))


def test_every_clearance_has_a_private_report_with_every_scheme(nightly_run):
    for clearance in CLEARANCES:
        path = nightly_run.home / "published" / clearance / REPORT
        assert path.stat().st_mode & 0o007 == 0, clearance  # no access for others
        report = path.read_text(encoding="utf-8")
        charts = set(CHART.findall(report))
        # the general artefact may drop a quasi-identifier scheme (k-anonymity)
        expected = (
            {s.scheme for s in tier_schemes()}
            if clearance != "general"
            else {"contribution_tier", "loyalty_tier", "credit_grade", "star_level"}
        )
        missing = {s for s in expected if f"distribution-{s}" not in charts}
        assert not missing, (clearance, missing)
        assert "crosstab-star-card" in charts
        assert {c for c in charts if c.startswith("migration-")}
        assert {c for c in charts if c.startswith("trend-")}
        assert "http://" not in report and "https://" not in report  # nothing to fetch
        assert "<script" not in report


def test_the_counts_are_the_artefacts_own(nightly_run):
    report = report_of(nightly_run, "confidential")
    with open_db(nightly_run.artefact_of("confidential")) as con:
        for scheme in ("star_level", "credit_grade", "contribution_tier", "card_tier"):
            counts = dict(
                con.execute(
                    f"select {scheme}_code, count(*) from customer_tiers group by 1"
                ).fetchall()
            )
            assert shown(report, scheme) == {c: f"{n:,}" for c, n in counts.items()}, scheme
        customers = con.execute("select count(*) from customer_tiers").fetchone()[0]
    assert f"{customers:,} customers" in report


def test_the_general_report_hides_small_counts(nightly_run):
    report = report_of(nightly_run, "general")
    schemes = [c[len("distribution-") :] for c in CHART.findall(report) if "distribution-" in c]
    small = []
    with open_db(nightly_run.artefact_of("general")) as con:
        for scheme in schemes:
            counts = dict(
                con.execute(
                    f"select {scheme}_code, count(*) from customer_tiers group by 1"
                ).fetchall()
            )
            bars = shown(report, scheme)
            for code, n in counts.items():
                hidden = n < K_ANONYMITY
                small += [(scheme, code)] if hidden else []
                assert bars[code] == (f"&lt; {K_ANONYMITY}" if hidden else f"{n:,}"), code
    assert small  # the test data has rare tiers among its class C customers


def test_no_report_holds_a_customer_key(nightly_run):
    """Aggregates only: neither a source customer number nor a general pseudonym."""
    keys: set[str] = set()
    for clearance in ("restricted", "general"):
        with open_db(nightly_run.artefact_of(clearance)) as con:
            keys |= {k for (k,) in con.execute("select customer_id from customer_tiers").fetchall()}
    assert len(keys) > 400
    for clearance in CLEARANCES:
        report = report_of(nightly_run, clearance)
        found = sorted(k for k in keys if k in report)
        assert not found, (clearance, found[:5])


def test_the_report_lists_the_checks_of_the_run(nightly_run):
    report = report_of(nightly_run, "restricted")
    section = report[report.index('id="checks"') :]
    passed, failed = (
        int(n.replace(",", "")) for n in re.findall(r"([0-9,]+) (?:passed|failed)", section)[:2]
    )
    assert passed > 250 and failed == 0, (passed, failed)
