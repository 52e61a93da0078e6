"""District goals: targets written in the config file, and progress toward them.

:mod:`.spec` checks the ``[[goals]]`` tables, :mod:`.progress` reads ``indicator_results`` and
reports each goal's status, :mod:`.trend` projects the trend to the target year, and
:mod:`.docs` renders the goals section of docs/configuration.md.
"""

from gapwatch.goals.docs import render_goals_doc
from gapwatch.goals.progress import (
    COLUMNS,
    MIN_N,
    PROGRESS_COLUMNS,
    goals_progress,
    interim_target,
    off_track,
)
from gapwatch.goals.spec import GOAL_KEYS, Goal, parse_goals

__all__ = [
    "COLUMNS",
    "GOAL_KEYS",
    "MIN_N",
    "PROGRESS_COLUMNS",
    "Goal",
    "goals_progress",
    "interim_target",
    "off_track",
    "parse_goals",
    "render_goals_doc",
]
