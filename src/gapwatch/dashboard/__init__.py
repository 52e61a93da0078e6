"""California School Dashboard: performance levels from versioned cut tables, and support rules.

- :mod:`gapwatch.dashboard.levels`: status, change and color of one result
  (:func:`performance_level`), cut-set names and choice (:func:`choose_cut_set`);
- :mod:`gapwatch.dashboard.support`: differentiated assistance, CSI and ATSI color rules;
- ``cuts/<year>.toml``: the cut tables, one per Dashboard year (:mod:`gapwatch.dashboard.cuts`).

Sources: ../shared/design/METHODS.md section 1 and the CDE pages it cites.
"""

from gapwatch.dashboard.levels import (
    GAPWATCH_INDICATORS,
    PerformanceLevel,
    choose_cut_set,
    cut_sets,
    performance_level,
    round_tenth,
)
from gapwatch.dashboard.names import (
    INDICATORS,
    ChangeLevel,
    Color,
    ReversedChangeLevel,
    ReversedStatusLevel,
    StatusLevel,
)

__all__ = [
    "GAPWATCH_INDICATORS",
    "INDICATORS",
    "ChangeLevel",
    "Color",
    "PerformanceLevel",
    "ReversedChangeLevel",
    "ReversedStatusLevel",
    "StatusLevel",
    "choose_cut_set",
    "cut_sets",
    "performance_level",
    "round_tenth",
]
