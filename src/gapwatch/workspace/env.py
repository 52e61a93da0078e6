"""Settings read from the environment: the application database, the warehouse, secrets.

Secrets never come from a file in the repository: ``GAPWATCH_SECRET_KEY``, the password inside
``GAPWATCH_DATABASE_URL`` and the OpenID Connect client secret are environment variables only.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

DEFAULT_SQLITE = "gapwatch-workspace.sqlite3"


class ImproperlyConfiguredEnv(ValueError):
    """An environment variable holds something the workspace cannot use."""


def flag(name: str, default: bool = False) -> bool:
    """A boolean environment variable (1/true/yes/on)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def warehouse_path() -> Path | None:
    """The DuckDB warehouse the workspace reads (``GAPWATCH_WAREHOUSE``)."""
    value = os.environ.get("GAPWATCH_WAREHOUSE")
    return Path(value) if value else None


def default_sqlite(warehouse: Path | None) -> Path:
    """The SQLite file used without ``GAPWATCH_DATABASE_URL``: ``GAPWATCH_WORKSPACE_DB``, else
    ``<warehouse>.workspace.sqlite3`` beside the warehouse, else ./gapwatch-workspace.sqlite3."""
    if value := os.environ.get("GAPWATCH_WORKSPACE_DB"):
        return Path(value)
    if warehouse is not None:
        return warehouse.with_name(warehouse.stem + ".workspace.sqlite3")
    return Path(DEFAULT_SQLITE)


def database(url: str | None, warehouse: Path | None) -> dict:
    """Django's ``DATABASES['default']`` from ``GAPWATCH_DATABASE_URL`` (``postgresql://user:
    password@host:port/name`` or ``sqlite:///path``), or the default SQLite file."""
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite(warehouse))}
    parts = urlparse(url)
    if parts.scheme in {"postgres", "postgresql"}:
        return {"ENGINE": "django.db.backends.postgresql",
                "NAME": unquote(parts.path.lstrip("/")) or "postgres",
                "USER": unquote(parts.username or ""), "PASSWORD": unquote(parts.password or ""),
                "HOST": parts.hostname or "", "PORT": str(parts.port or ""),
                "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    if parts.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parts.path)}
    raise ImproperlyConfiguredEnv(
        f"GAPWATCH_DATABASE_URL: unsupported scheme {parts.scheme!r}; use postgresql://... or "
        "sqlite:///path")


def describe(db: dict) -> str:
    """The database in words, without its password."""
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite file {db['NAME']}"
    return f"PostgreSQL {db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
