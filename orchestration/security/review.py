"""The periodic access review for the supervising body, and its attestation.

:func:`write_review` writes ``governance/reviews/<date>.md`` (for people) and
``<date>.csv`` (one row per finding, for tools) with: active grants by class and
their approvals; grants expiring within 30 days; expired or revoked grants that
still got a key or a lookup afterwards; active grants unused for 90 days; the staff
designated for class A; training due; the age of every key and pending rotations;
the access log verification; the last backup and the last restore drill. It logs
``review_written`` with the SHA-256 of both files.

A principal of the information security department attests a review
(:func:`attest`, logged ``review_attestation`` with the same hashes, refused when a
file changed since it was written). :func:`review_overdue` says whether no review
was attested within the period: the monthly ``governance_review`` asset's blocking
check.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from orchestration.security import access_log, governance
from orchestration.security.keys import PURPOSES, KeyStore, env_name
from orchestration.security.stores import sha256_file
from orchestration.settings import BUSINESS_TZ, Paths

EXPIRY_WARNING_DAYS = 30
UNUSED_DAYS = 90
TRAINING_WARNING_DAYS = 30
REVIEW_PERIOD_DAYS = 31
CSV_COLUMNS = ("section", "item", "clearance", "principal", "date", "detail")
#: the sections of a review, in order (the CSV's ``section`` values).
SECTIONS = (
    "active_grants",
    "expiring_soon",
    "key_after_end",
    "unused_grants",
    "designated_staff",
    "training_due",
    "key_ages",
    "pending_rotations",
    "access_log",
    "last_backup",
    "last_restore_drill",
)
TITLES = {
    "active_grants": "Active grants by class",
    "expiring_soon": f"Grants expiring within {EXPIRY_WARNING_DAYS} days",
    "key_after_end": "Expired or revoked grants that still got a key or a lookup",
    "unused_grants": f"Active grants unused for {UNUSED_DAYS} days (no key release, no reveal)",
    "designated_staff": "Staff designated for class A",
    "training_due": f"Training expired or due within {TRAINING_WARNING_DAYS} days",
    "key_ages": "Key ages",
    "pending_rotations": "Pending key rotations",
    "access_log": "Access log verification",
    "last_backup": "Last backup",
    "last_restore_drill": "Last restore drill",
}
USE_KINDS = ("key_release", "reveal")


class ReviewProblem(ValueError):
    """An attestation the rules refuse; the message says why."""


@dataclass(frozen=True)
class Row:
    section: str
    item: str = ""
    clearance: str = ""
    principal: str = ""
    date: str = ""
    detail: str = ""


def business_date(at: dt.datetime) -> dt.date:
    """The Shanghai day of a UTC log timestamp."""
    return at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(BUSINESS_TZ)).date()


def _approvals_text(view: governance.GrantView) -> str:
    return (
        "; ".join(f"{a.role} by {a.approver} on {a.approved_at:%Y-%m-%d}" for a in view.approvals)
        or "none"
    )


def _grant_rows(
    views: list[governance.GrantView], uses: list[access_log.Entry], today: dt.date
) -> list[Row]:
    rows: list[Row] = []
    by_grant: dict[str, list[access_log.Entry]] = {}
    for e in uses:
        if e.details.get("grant_id"):
            by_grant.setdefault(e.details["grant_id"], []).append(e)
    order = {c: i for i, c in enumerate(("restricted", "confidential", "general"))}
    for v in sorted(views, key=lambda v: (order.get(v.grant.clearance, 9), v.grant.grant_id)):
        g = v.grant
        klass = governance.INFO_CLASS.get(g.clearance, "?")
        if v.active:
            rows.append(
                Row(
                    "active_grants",
                    g.grant_id,
                    g.clearance,
                    g.grantee,
                    str(g.expires_on),
                    f"class {klass}; requested by {g.requested_by} for {g.purpose!r}; "
                    f"approvals: {_approvals_text(v)}",
                )
            )
            if g.expires_on <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
                rows.append(
                    Row(
                        "expiring_soon",
                        g.grant_id,
                        g.clearance,
                        g.grantee,
                        str(g.expires_on),
                        f"{(g.expires_on - today).days} days left",
                    )
                )
            used = by_grant.get(g.grant_id, [])
            last = max((business_date(e.at) for e in used), default=None)
            since = last or max(
                [g.requested_at.date(), *(a.approved_at.date() for a in v.approvals)]
            )
            if (today - since).days >= UNUSED_DAYS:
                rows.append(
                    Row(
                        "unused_grants",
                        g.grant_id,
                        g.clearance,
                        g.grantee,
                        str(last or ""),
                        f"last used {last}" if last else f"never used since {since}",
                    )
                )
        for e in by_grant.get(g.grant_id, []):
            late = []
            if v.revocation is not None and e.at > v.revocation.revoked_at:
                late.append(f"after its revocation at {v.revocation.revoked_at:%Y-%m-%d %H:%M}")
            if business_date(e.at) > g.expires_on:
                late.append(f"after its expiry on {g.expires_on}")
            if late:
                rows.append(
                    Row(
                        "key_after_end",
                        g.grant_id,
                        g.clearance,
                        e.actor,
                        f"{e.at:%Y-%m-%d %H:%M:%S}",
                        f"{e.kind} (log entry {e.seq}) {' and '.join(late)}",
                    )
                )
    return rows


def _principal_rows(
    principals: dict[str, governance.Principal],
    views: list[governance.GrantView],
    today: dt.date,
) -> list[Row]:
    rows: list[Row] = []
    for p in principals.values():
        if p.designated_for_a:
            rows.append(Row("designated_staff", p.principal_id, "", p.name, "", p.department))
    needs_training = {
        v.grant.grantee
        for v in views
        if v.grant.clearance == "confidential"
        and v.revocation is None
        and v.grant.expires_on >= today
    }
    for p in principals.values():
        until = p.training_valid_until
        if until is None and p.principal_id in needs_training:
            rows.append(Row("training_due", p.principal_id, "", p.name, "", "no training recorded"))
        elif until is not None and until <= today + dt.timedelta(days=TRAINING_WARNING_DAYS):
            status = "expired" if until < today else f"due in {(until - today).days} days"
            rows.append(Row("training_due", p.principal_id, "", p.name, str(until), status))
    return rows


def _event_row(section: str, entry: access_log.Entry | None) -> Row:
    if entry is None:
        return Row(section, "none", detail="no entry in the access log")
    return Row(
        section,
        f"log entry {entry.seq}",
        principal=entry.actor,
        date=f"{entry.at:%Y-%m-%d %H:%M:%S} UTC",
        detail=access_log.canonical_json(entry.details),
    )


def _key_age(keys: KeyStore, purpose: str, today: dt.date) -> str:
    if os.environ.get(env_name(purpose)):
        return f"supplied by {env_name(purpose)} (rotated at its source)"
    age = keys.age_days(purpose, today)
    return "not created yet" if age is None else f"{age} days"


def collect(paths: Paths, today: dt.date) -> list[Row]:
    """Every finding of the review of ``today``, section by section."""
    keys = KeyStore(paths.home)
    audit_key = keys.key("audit")
    head = access_log.read_head(access_log.head_path(paths))
    with governance.open_session(paths) as con:
        views = governance.grant_views(con, today)
        principals = governance.principals_on(con)
        uses = access_log.entries(paths, USE_KINDS, con=con)
        backup_entry = access_log.last_entry(paths, "backup", con=con)
        drill_entry = access_log.last_entry(paths, "restore_drill", con=con)
        pending = [
            r[0]
            for r in con.execute(
                "select clearance || ': ' || string_agg(reason, ', ') from key_rotations "
                "where done_at is null group by clearance order by clearance"
            ).fetchall()
        ]
        chain = access_log.verify_chain(con, audit_key, head)
    rows = _grant_rows(views, uses, today) + _principal_rows(principals, views, today)
    for purpose in PURPOSES:
        rows.append(
            Row(
                "key_ages",
                purpose,
                purpose if purpose in governance.INFO_CLASS else "",
                detail=_key_age(keys, purpose, today),
            )
        )
    rows += [Row("pending_rotations", item=p) for p in pending]
    rows.append(
        Row(
            "access_log",
            "ok" if chain.ok else "FAILED",
            detail=f"{chain.message}; entries {chain.entries}; head {chain.head_hash}"
            + ("" if chain.first_bad_seq is None else f"; first bad entry {chain.first_bad_seq}"),
        )
    )
    rows.append(_event_row("last_backup", backup_entry))
    rows.append(_event_row("last_restore_drill", drill_entry))
    return rows


def _csv(rows: list[Row]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([r.section, r.item, r.clearance, r.principal, r.date, r.detail])
    return buf.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(rows: list[Row], today: dt.date, home: Path) -> str:
    lines = [
        f"# Access review {today}",
        "",
        f"Customer information access review of `{home}` for the supervising body, "
        f"written {access_log.now_utc():%Y-%m-%d %H:%M} UTC. Clearances: general = class C, "
        "confidential = class B, restricted = class A. To be attested by the information "
        "security department (`tiering access attest`).",
    ]
    for section in SECTIONS:
        mine = [r for r in rows if r.section == section]
        lines += ["", f"## {TITLES[section]}", ""]
        if not mine:
            lines.append("None.")
            continue
        lines += [
            "| item | clearance | principal | date | detail |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {_cell(r.item)} | {_cell(r.clearance)} | {_cell(r.principal)} | "
            f"{_cell(r.date)} | {_cell(r.detail)} |"
            for r in mine
        ]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o640)
    os.replace(tmp, path)


def write_review(
    paths: Paths, today: dt.date | None = None, *, actor: str = "governance_review"
) -> tuple[Path, Path]:
    """Write the review of ``today`` (markdown and CSV); log ``review_written``."""
    today = today or governance.business_today()
    rows = collect(paths, today)
    folder = Path(paths.reviews)
    folder.mkdir(parents=True, exist_ok=True, mode=0o750)
    os.chmod(folder, 0o750)
    md_path, csv_path = folder / f"{today}.md", folder / f"{today}.csv"
    _write(md_path, _markdown(rows, today, paths.home))
    _write(csv_path, _csv(rows))
    access_log.append(
        paths,
        "review_written",
        actor,
        {
            "review_date": today,
            "md": md_path.name,
            "csv": csv_path.name,
            "md_sha256": sha256_file(md_path),
            "csv_sha256": sha256_file(csv_path),
            "active_grants": sum(r.section == "active_grants" for r in rows),
            "findings": {
                s: sum(r.section == s for r in rows)
                for s in ("expiring_soon", "key_after_end", "unused_grants", "training_due")
            },
            "access_log_ok": any(r.section == "access_log" and r.item == "ok" for r in rows),
        },
    )
    return md_path, csv_path


def attest(paths: Paths, principal: str, review_date: dt.date | None = None) -> dt.date:
    """Record ``principal``'s (information security) attestation of the review of
    ``review_date`` (default: the latest written); return the review's date."""
    with governance.open_session(paths) as con:
        who = governance.principals_on(con).get(principal)
        if who is None:
            raise ReviewProblem(f"{principal!r} is not a known principal")
        if who.department != governance.SECURITY_DEPARTMENT:
            raise ReviewProblem(
                f"{principal!r} is in {who.department!r}: reviews are attested by "
                f"{governance.SECURITY_DEPARTMENT!r}"
            )
        written = access_log.entries(paths, ("review_written",), con=con)
        if review_date is not None:
            written = [e for e in written if e.details.get("review_date") == str(review_date)]
        if not written:
            raise ReviewProblem(
                f"no review of {review_date} was written" if review_date else "no review yet"
            )
        latest = max(written, key=lambda e: (e.details["review_date"], e.seq))
        folder = Path(paths.reviews)
        for part in ("md", "csv"):
            path = folder / latest.details[part]
            if not path.exists() or sha256_file(path) != latest.details[f"{part}_sha256"]:
                raise ReviewProblem(
                    f"{path} is missing or was changed after it was written (log entry "
                    f"{latest.seq}): write the review again"
                )
        access_log.append(
            paths,
            "review_attestation",
            principal,
            {
                "review_date": latest.details["review_date"],
                "review_entry": latest.seq,
                "md_sha256": latest.details["md_sha256"],
                "csv_sha256": latest.details["csv_sha256"],
            },
            con=con,
        )
    return dt.date.fromisoformat(latest.details["review_date"])


def overdue_reason(
    paths: Paths, today: dt.date | None = None, period_days: int = REVIEW_PERIOD_DAYS
) -> str | None:
    """Why the review is overdue on ``today``, or None when a review dated within the
    last ``period_days`` days is attested. A home whose access log is younger than a
    period is not overdue (its first review is not due yet)."""
    today = today or governance.business_today()
    if not Path(paths.governance).exists():
        return None
    with access_log.open_governance(paths, read_only=True) as con:
        first = con.execute('select min("at") from access_log').fetchone()[0]
        log = access_log.entries(paths, ("review_written", "review_attestation"), con=con)
    if first is None:
        return None
    window_start = today - dt.timedelta(days=period_days)
    reviews = [
        dt.date.fromisoformat(e.details["review_date"]) for e in log if e.kind == "review_written"
    ]
    attested = [
        dt.date.fromisoformat(e.details["review_date"])
        for e in log
        if e.kind == "review_attestation"
    ]
    if any(window_start <= d <= today for d in attested):
        return None
    start = min([business_date(first), *reviews])
    if start > window_start:
        return None
    last_attested = max(attested, default=None)
    last_review = max((d for d in reviews if d <= today), default=None)
    return (
        f"no review attested within the last {period_days} days (since {window_start}): "
        f"latest review {last_review or 'never written'}, latest attested review "
        f"{last_attested or 'none'}"
    )


def review_overdue(
    paths: Paths, today: dt.date | None = None, period_days: int = REVIEW_PERIOD_DAYS
) -> bool:
    """True when no review dated within the last ``period_days`` days was attested."""
    return overdue_reason(paths, today, period_days) is not None


__all__ = [
    "SECTIONS",
    "ReviewProblem",
    "attest",
    "overdue_reason",
    "review_overdue",
    "write_review",
]
