"""One secret key per purpose, kept under ``$TIERING_HOME/keys/`` (DESIGN §8).

Purposes: ``pii`` (HMAC tokens of class A values), ``warehouse``, ``vault`` and
``governance`` (DuckDB encryption of those stores), ``audit`` (the MAC of the access
log chain) and one per published clearance (``general``, ``confidential``,
``restricted``).

- **Development** (``TIERING_ENV`` unset): a missing key is generated on first use,
  32 random bytes written as hex to ``keys/<purpose>.key`` with mode 0600, so
  ``make run`` needs nothing. There is no default key anywhere in the code.
- **Production** (``TIERING_ENV=production``): the operator supplies every key, as
  the file or as ``TIERING_KEY_<PURPOSE>`` (e.g. from a secrets manager). A missing,
  short (< 32 bytes) or known key stops the run before anything is written, with a
  message that names the key and never shows it.

A key is never logged, put in SQL text that dbt writes to ``target/``, or passed
on a command line.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import os
import secrets
import stat
from pathlib import Path

PURPOSES: tuple[str, ...] = (
    "pii",
    "warehouse",
    "vault",
    "governance",
    "audit",
    "general",
    "confidential",
    "restricted",
)
#: the published clearances, lowest first; each has a key of its own.
CLEARANCES: tuple[str, ...] = ("general", "confidential", "restricted")
MIN_KEY_BYTES = 32
#: fewer distinct byte values than this in a key of 32+ bytes means a pattern
#: (``000…``, ``abab…``), not randomness.
MIN_DISTINCT_BYTES = 12
#: sha256 of keys that are public and must never be used: the development default
#: of earlier versions and the usual placeholders. Only hashes are kept here.
KNOWN_KEY_SHA256 = frozenset(
    {
        hashlib.sha256(text.encode()).hexdigest()
        for text in ("changeme", "change-me", "secret", "password", "test", "key")
    }
    # the development default of versions before the key store
    | {"0d7188f13f73bfa885fbd88665e9d815ec283b428c1a0e87a0178f62cd18a176"}
)


class KeyProblem(RuntimeError):
    """A key that is missing, too weak, known or not private. The message names the
    key (purpose and where it was looked for), never its value."""


def production() -> bool:
    return os.environ.get("TIERING_ENV", "").strip().lower() == "production"


def env_name(purpose: str) -> str:
    return f"TIERING_KEY_{purpose.upper()}"


def decode(text: str) -> bytes:
    """The key bytes of a key text: hex or base64 when it is one, else its UTF-8 bytes."""
    text = text.strip()
    try:
        if len(text) % 2 == 0 and len(text) >= 2 * MIN_KEY_BYTES:
            return bytes.fromhex(text)
    except ValueError:
        pass
    try:
        raw = base64.b64decode(text, validate=True)
        if len(raw) >= MIN_KEY_BYTES:
            return raw
    except (binascii.Error, ValueError):
        pass
    return text.encode("utf-8")


def weakness(text: str) -> str | None:
    """Why a key text is not acceptable, or None."""
    raw = decode(text)
    if hashlib.sha256(text.strip().encode()).hexdigest() in KNOWN_KEY_SHA256:
        return "is a known public key"
    if len(raw) < MIN_KEY_BYTES:
        return f"is too short ({len(raw)} bytes; at least {MIN_KEY_BYTES} random bytes needed)"
    if len(set(raw)) < MIN_DISTINCT_BYTES:
        return "is a pattern, not random bytes"
    return None


class KeyStore:
    """The keys of one ``$TIERING_HOME``."""

    def __init__(self, home: Path):
        self.home = Path(home)
        self.folder = self.home / "keys"

    def path(self, purpose: str) -> Path:
        if purpose not in PURPOSES:
            raise ValueError(f"unknown key purpose {purpose!r} (one of {', '.join(PURPOSES)})")
        return self.folder / f"{purpose}.key"

    def _where(self, purpose: str) -> str:
        return f"{self.path(purpose)} or {env_name(purpose)}"

    def text(self, purpose: str) -> str:
        """The key of ``purpose`` as text (hex for generated keys), checked."""
        path = self.path(purpose)
        supplied = os.environ.get(env_name(purpose), "").strip()
        if supplied:
            value, origin = supplied, env_name(purpose)
        elif path.exists():
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                raise KeyProblem(
                    f"key {purpose!r}: {path} is readable by others (mode {mode:o}); "
                    f"chmod 600 {path}"
                )
            value, origin = path.read_text(encoding="utf-8").strip(), str(path)
        elif production():
            raise KeyProblem(
                f"key {purpose!r} is missing: TIERING_ENV=production needs it in "
                f"{self._where(purpose)} (at least {MIN_KEY_BYTES} random bytes, hex)"
            )
        else:
            value, origin = self._generate(purpose), str(path)
        problem = weakness(value)
        if problem:
            raise KeyProblem(f"key {purpose!r} from {origin} {problem}")
        return value

    def key(self, purpose: str) -> bytes:
        """The key of ``purpose`` as bytes (for HMAC)."""
        return decode(self.text(purpose))

    def _generate(self, purpose: str) -> str:
        path = self.path(purpose)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.folder, 0o700)
        value = secrets.token_hex(MIN_KEY_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process generated it meanwhile
            return path.read_text(encoding="utf-8").strip()
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(value + "\n")
        return value

    def rotate(self, purpose: str) -> None:
        """Replace a generated key with a new random one (a clearance key after a
        revocation). A key supplied in the environment is the operator's to rotate."""
        if os.environ.get(env_name(purpose)):
            raise KeyProblem(
                f"key {purpose!r} comes from {env_name(purpose)}: rotate it at its source"
            )
        path = self.path(purpose)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".key.new")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_hex(MIN_KEY_BYTES) + "\n")
        os.replace(tmp, path)

    def age_days(self, purpose: str, today: dt.date | None = None) -> int | None:
        """Days since the key file was written (None for a key from the environment)."""
        path = self.path(purpose)
        if os.environ.get(env_name(purpose)) or not path.exists():
            return None
        written = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()
        return ((today or dt.datetime.now(dt.UTC).date()) - written).days

    def check_all(self) -> list[str]:
        """Every key problem, for the production preflight (nothing is generated)."""
        problems = []
        for purpose in PURPOSES:
            try:
                if production() or self.path(purpose).exists() or os.environ.get(env_name(purpose)):
                    self.text(purpose)
            except KeyProblem as exc:
                problems.append(str(exc))
        return problems


def preflight(home: Path) -> None:
    """Refuse to start a production run whose keys are not all present and strong."""
    if not production():
        return
    problems = KeyStore(home).check_all()
    if problems:
        raise KeyProblem(
            "TIERING_ENV=production: the run stops before writing anything:\n  "
            + "\n  ".join(problems)
        )
