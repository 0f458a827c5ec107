"""The two doors to customer information: a clearance key and a class A lookup.

Both check for an active grant (:mod:`orchestration.security.governance`) and write
exactly one access log entry per call, released or refused, in the same
transaction as the check. The entry names the principal, the clearance or customer
and the purpose, and the OS user who ran the command (``--as`` is the principal's
word; the OS account is what the machine knows). It never holds a key or a value:
a key release records the first 16 hex digits of the key's SHA-256, so a review can
tell which key (before or after a rotation) was handed out.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from orchestration.security import access_log, governance, vault
from orchestration.security.keys import KeyProblem, KeyStore
from orchestration.settings import Paths


class AccessRefused(PermissionError):
    """No active grant (or no such customer); the message says why, never a key."""


def key_fingerprint(key_text: str) -> str:
    return hashlib.sha256(key_text.encode("utf-8")).hexdigest()[:16]


def release_key(
    paths: Paths, principal: str, clearance: str, *, today: dt.date | None = None
) -> str:
    """The key of ``clearance`` for ``principal`` if they hold an active grant for it;
    logs ``key_release`` or ``key_refused`` and raises :class:`AccessRefused`."""
    today = today or governance.business_today()
    refusal: str | None = None
    with governance.open_session(paths) as con:
        grant_id, why = governance.find_active(con, principal, clearance, today)
        details = {"clearance": clearance, "os_user": governance.os_user(), "on": today}
        key = None
        if grant_id is None:
            refusal = "; ".join(why)
        else:
            try:
                key = KeyStore(paths.home).text(clearance)
            except KeyProblem as exc:  # the message names the key, never its value
                refusal = f"the {clearance} key is not available: {exc}"
        if key is None:
            access_log.append(
                paths, "key_refused", principal, {**details, "reason": refusal}, con=con
            )
        else:
            access_log.append(
                paths,
                "key_release",
                principal,
                {**details, "grant_id": grant_id, "key_sha256": key_fingerprint(key)},
                con=con,
            )
    if key is None:
        raise AccessRefused(f"{principal} may not have the {clearance} key: {refusal}")
    return key


def reveal_customer(
    paths: Paths,
    principal: str,
    customer_id: str,
    purpose: str,
    *,
    today: dt.date | None = None,
) -> dict[str, str]:
    """The clear class A values of one customer for ``principal`` with an active
    ``restricted`` grant, for a stated purpose; logs ``reveal`` (with the column
    names, never the values) or ``reveal_refused`` and raises :class:`AccessRefused`."""
    today = today or governance.business_today()
    refusal: str | None = None
    values: dict[str, str] = {}
    with governance.open_session(paths) as con:
        grant_id, why = governance.find_active(con, principal, "restricted", today)
        details = {
            "customer_id": customer_id,
            "purpose": (purpose or "").strip(),
            "os_user": governance.os_user(),
            "on": today,
        }
        if not details["purpose"]:
            refusal = "a purpose is required"
        elif grant_id is None:
            refusal = "; ".join(why)
        else:
            try:
                values = vault.reveal(paths, customer_id)
            except KeyError:
                refusal = f"the vault knows no customer {customer_id!r}"
            except KeyProblem as exc:
                refusal = f"the vault key is not available: {exc}"
        if refusal is not None:
            access_log.append(
                paths,
                "reveal_refused",
                principal,
                {**details, "grant_id": grant_id, "reason": refusal},
                con=con,
            )
        else:
            access_log.append(
                paths,
                "reveal",
                principal,
                {**details, "grant_id": grant_id, "columns": sorted(values)},
                con=con,
            )
    if refusal is not None:
        raise AccessRefused(f"{principal} may not see customer {customer_id}: {refusal}")
    return values
