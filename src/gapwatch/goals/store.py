"""Goals in the run: check the config's ``[[goals]]`` and store ``goals_progress``."""

from __future__ import annotations

import duckdb

from gapwatch.config import Config
from gapwatch.goals.progress import goals_progress
from gapwatch.goals.spec import Goal, parse_goals
from gapwatch.warehouse import Warehouse


def configured_goals(config: Config) -> tuple[Goal, ...]:
    """The config's goals, checked against the built-in and district indicators (raises
    ConfigError naming the file, the goal and the key)."""
    from gapwatch.indicators import BUILTIN
    from gapwatch.indicators.custom import custom_indicators

    known = {i.id: (i.kind.value, i.direction.value)
             for i in (*BUILTIN, *custom_indicators(config))}
    return parse_goals(list(config.goals), str(config.path or "config"), known)


def store_goals(con: duckdb.DuckDBPyConnection, config: Config) -> int:
    """Replace ``goals_progress``; return its row count."""
    table = goals_progress(con, configured_goals(config))
    return Warehouse(con).store("goals_progress", table)
