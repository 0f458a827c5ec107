"""Apache Superset's configuration for ``make bi`` (``SUPERSET_CONFIG_PATH`` names this
file). It runs inside Superset's own virtualenv (``.venv-bi``), where the project is
not installed: it imports only ``artefact_connection.py`` beside it, and everything
else it needs is under ``$TIERING_HOME/bi``, written private (0600) by
``python -m orchestration.bi.superset`` (make bi):

- ``secret_key``: Superset's session and metadata encryption key, generated per home;
- ``superset.db``: Superset's metadata (SQLite);
- ``general.key``: the key of the general artefact, released to the BI principal by
  its grant (``tiering access key``, logged in the access log).

Superset reaches the tiers through duckdb-engine with an in-memory DuckDB database
(``duckdb:///:memory:``): every new connection attaches the **general** artefact
read-only with its key, makes it the default catalog and loses file access
(``artefact_connection.py``, beside this file). Superset opens a connection per
query, so each query reads the artefact of the last publication (an atomic rename),
and never the warehouse.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from artefact_connection import attach_on_connect  # noqa: E402 - beside this file

HOME = Path(os.environ.get("TIERING_HOME", "data")).resolve()
BI_DIR = HOME / "bi"

# every DuckDB connection of Superset reads the general artefact
attach_on_connect(Engine, HOME / "published" / "general" / "tiers.duckdb", BI_DIR / "general.key")

SECRET_KEY = (BI_DIR / "secret_key").read_text(encoding="utf-8").strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{BI_DIR / 'superset.db'}"
# no example data, no telemetry, nothing fetched from the network
SUPERSET_LOAD_EXAMPLES = False
SHOW_STACKTRACE = False
# the charts are rendered by the browser; no headless screenshots by Superset itself
FEATURE_FLAGS = {"DASHBOARD_RBAC": False, "ALERT_REPORTS": False, "THUMBNAILS": False}
# The browser may load nothing from outside this server (banks' BI machines have no
# internet, and Superset's pages carry a telemetry pixel): a content security policy
# of 'self' only. Served over http on localhost by `make bi`; put it behind your TLS
# proxy otherwise (and set force_https / session_cookie_secure).
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
SESSION_COOKIE_SECURE = False
# Superset's own guard against SQLite files as databases
PREVENT_UNSAFE_DB_CONNECTIONS = True
