"""What an indicator is: a universe (who counts) and an outcome (what is counted or averaged)
over one of the documented views, with the facts about it that the methods, the docs and the
privacy door read. The built-in indicators are in :mod:`gapwatch.indicators.registry`; this
module imports nothing of gapwatch, so every package that defines indicators can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    RATE = "rate"  #: share of the universe whose outcome is true (0-1)
    MEAN = "mean"  #: average of a numeric outcome


class Direction(StrEnum):
    HIGHER = "higher"  #: higher is better
    LOWER = "lower"  #: lower is better (chronic absence, suspension)


class Source(StrEnum):
    STUDENT_YEAR = "student_year"
    COHORT = "cohort"
    FAMILY_YEAR = "family_year"  #: student_year with family and survey facts (families.view)


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it measures, for whom, from which tables, and where it comes from."""

    id: str
    name: str
    description: str
    citation: str
    universe: str
    outcome: str
    kind: Kind
    direction: Direction
    grades: str
    needs: tuple[str, ...]
    source: Source = Source.STUDENT_YEAR
    #: "academic": EL also counts students reclassified < 4 years ago; "elpi": students
    #: reclassified after taking this year's ELPAC
    el_group: str = "current"
    caveats: str = ""
    needs_columns: tuple[str, ...] = ()  #: "table.column" that must have values
    builtin: bool = True
    #: SQL giving each counted student's performance level 1..level_count (for the V statistic)
    levels: str = ""
    level_count: int = 0
    #: groups whose membership decides the outcome (no gap is measured for them)
    defining_groups: tuple[str, ...] = ()
    #: subject (ela/math) of the participation rule (indicators.participation), for DFS
    participation: str = ""
    # What a reader of the docs knows about how universes relate; the privacy door's disclosure
    # model (gapwatch.privacy.model) derives its relations from these and from ``universe``:
    # indicators with the same universe and source share their n, and every student-year
    # indicator's universe lies within the universe ``TRUE`` (all enrolled students).
    #: indicators whose universe holds this one's (n at most theirs; same outcome: numerator too)
    universe_within: tuple[str, ...] = ()
    #: rate indicator whose numerator is this one's universe (n equals its numerator)
    universe_is_numerator_of: str = ""
    #: rate indicator whose numerator counts the same students as this one's
    numerator_of: str = ""
    #: rate indicator whose previous year's non-meeting students this one adds to its
    #: universe, every one of them meeting the outcome (fifth-year graduates)
    adds_prior_year_of: str = ""
