"""The staff workspace: a Django application where school staff and community partners act on
the early-warning list (docs/workspace.md).

Application state (accounts, notes, supports, referrals, the audit log) lives in a relational
database through Django's ORM (SQLite by default, PostgreSQL with ``GAPWATCH_DATABASE_URL``);
the analytics stay in the DuckDB warehouse, read-only (:mod:`gapwatch.workspace.warehouse`).
"""

from __future__ import annotations

import os
from pathlib import Path

SETTINGS = "gapwatch.workspace.settings"


def setup(warehouse: Path | None = None, settings: str | None = None) -> None:
    """Configure Django for this process (once): the workspace settings, with ``warehouse`` as
    ``GAPWATCH_WAREHOUSE`` when given. A process that already configured Django keeps its
    settings (tests, a running server)."""
    import django
    from django.conf import settings as django_settings

    if warehouse is not None:
        os.environ["GAPWATCH_WAREHOUSE"] = str(Path(warehouse).resolve())
    if not django_settings.configured:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings or SETTINGS)
    django.setup()
