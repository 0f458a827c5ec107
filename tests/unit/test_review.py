"""The access review: its sections and findings, the attestation, overdue detection."""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import pytest

from orchestration.security import access, access_log, governance, review
from orchestration.security.governance import IT_DEPARTMENT, SECURITY_DEPARTMENT
from orchestration.security.keys import PURPOSES
from orchestration.settings import Paths

TODAY = governance.business_today()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Paths:
    """Grants of every kind the review reports:

    - G00001 bob general, used today (key released);
    - G00002 erin general, expiring in 10 days, never used;
    - G00003 bob general, revoked, and a key released afterwards (a forged release);
    - G00004 erin general, expired 5 days ago, with a key release logged after expiry;
    - erin's training runs out in 10 days; bob is designated for class A.
    """
    base = tmp_path_factory.mktemp("review")
    paths = Paths(home=base / "home", landing=base / "landing")
    for pid, dept, extra in (
        ("alice", "sales", {"department_head": True}),
        ("carol", "sales", {}),
        ("bob", "sales", {"designated_for_a": True}),
        ("erin", "sales", {"training_valid_until": days(10)}),
        ("sec", SECURITY_DEPARTMENT, {}),
        ("it1", IT_DEPARTMENT, {}),
    ):
        governance.add_principal(paths, pid, pid.title(), dept, **extra)

    def granted(grantee, expires_on=None, today=TODAY):
        gid = governance.request_grant(
            paths, grantee, "general", "alice", "BI", expires_on=expires_on, today=today
        )
        governance.approve(paths, gid, "carol", "department", today=today)
        return gid

    granted("bob")
    access.release_key(paths, "bob", "general")
    granted("erin", expires_on=days(10))
    revoked = granted("bob")
    governance.revoke(paths, revoked, "sec", "left")
    access_log.append(paths, "key_release", "bob", {"clearance": "general", "grant_id": revoked})
    expired = granted("erin", expires_on=days(-5), today=days(-20))
    access_log.append(paths, "key_release", "erin", {"clearance": "general", "grant_id": expired})
    return paths


@pytest.fixture
def paths(tmp_path, template) -> Paths:
    shutil.copytree(template.home, tmp_path / "home")
    return Paths(home=tmp_path / "home", landing=tmp_path / "landing")


def rows_of(csv_path) -> list[dict[str, str]]:
    with csv_path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_review_has_every_section_and_finding(paths):
    md_path, csv_path = review.write_review(paths, TODAY)
    assert md_path == paths.reviews / f"{TODAY}.md" and csv_path.suffix == ".csv"
    text = md_path.read_text(encoding="utf-8")
    for section in review.SECTIONS:
        assert f"## {review.TITLES[section]}" in text

    rows = rows_of(csv_path)
    assert list(rows[0]) == list(review.CSV_COLUMNS)

    def items(section):
        return {r["item"] for r in rows if r["section"] == section}

    assert items("active_grants") == {"G00001", "G00002"}
    active = next(r for r in rows if r["item"] == "G00001" and r["section"] == "active_grants")
    assert "department by carol" in active["detail"]
    assert items("expiring_soon") == {"G00002"}
    assert items("key_after_end") == {"G00003", "G00004"}
    late = {r["item"]: r["detail"] for r in rows if r["section"] == "key_after_end"}
    assert "after its revocation" in late["G00003"] and "after its expiry" in late["G00004"]
    assert items("unused_grants") == set()  # nothing is 90 days old yet
    assert items("designated_staff") == {"bob"}
    assert items("training_due") == {"erin"}
    assert items("key_ages") == set(PURPOSES)
    assert items("pending_rotations") == {"general: grant G00003 revoked"}
    assert items("access_log") == {"ok"}
    assert items("last_backup") == items("last_restore_drill") == {"none"}

    written = access_log.last_entry(paths, "review_written")
    assert written.details["review_date"] == str(TODAY)
    assert written.details["findings"]["key_after_end"] == 2


def test_grants_unused_for_90_days_and_a_broken_log_are_reported(paths):
    later = days(95)
    access_log.append(paths, "backup", "ops", {"to": "/backups/x"})
    access_log.head_path(paths).unlink()  # the chain head is gone: verification fails
    _, csv_path = review.write_review(paths, later)
    rows = rows_of(csv_path)
    unused = {r["item"]: r["detail"] for r in rows if r["section"] == "unused_grants"}
    # G00001 was last used today, G00002 has expired by then (only active grants count)
    assert unused == {"G00001": f"last used {TODAY}"}
    (log_row,) = [r for r in rows if r["section"] == "access_log"]
    assert log_row["item"] == "FAILED" and "missing" in log_row["detail"]
    (backup_row,) = [r for r in rows if r["section"] == "last_backup"]
    assert "/backups/x" in backup_row["detail"]


def test_only_information_security_attests_an_unchanged_review(paths):
    md_path, _ = review.write_review(paths, TODAY)
    with pytest.raises(review.ReviewProblem, match="attested by 'information_security'"):
        review.attest(paths, "alice")
    with pytest.raises(review.ReviewProblem, match="no review of"):
        review.attest(paths, "sec", days(-1))
    md_path.write_text(md_path.read_text(encoding="utf-8") + "\nall fine\n", encoding="utf-8")
    with pytest.raises(review.ReviewProblem, match="changed after it was written"):
        review.attest(paths, "sec")
    review.write_review(paths, TODAY)
    assert review.attest(paths, "sec") == TODAY
    entry = access_log.last_entry(paths, "review_attestation")
    assert (entry.actor, entry.details["review_date"]) == ("sec", str(TODAY))


def test_overdue_when_no_review_is_attested_within_the_period(tmp_path):
    paths = Paths(home=tmp_path / "home", landing=tmp_path / "landing")
    assert not review.review_overdue(paths, TODAY)  # nothing governed yet
    governance.add_principal(paths, "sec", "Sec", SECURITY_DEPARTMENT)
    review.write_review(paths, TODAY)
    # the first review is not due until a period has passed
    assert not review.review_overdue(paths, days(20))
    assert review.review_overdue(paths, days(32))
    assert "latest attested review none" in review.overdue_reason(paths, days(32))

    review.attest(paths, "sec")
    assert not review.review_overdue(paths, days(31))
    assert review.review_overdue(paths, days(32))
    assert review.review_overdue(paths, days(32), period_days=31)
    assert not review.review_overdue(paths, days(32), period_days=40)
