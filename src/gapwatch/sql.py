"""Quoting for the SQL gapwatch generates (DuckDB dialect)."""

from __future__ import annotations


def quote_ident(name: str) -> str:
    """An identifier in double quotes: ``school_id`` -> ``"school_id"``."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """A string literal: ``O'Neil`` -> ``'O''Neil'``."""
    return "'" + text.replace("'", "''") + "'"
