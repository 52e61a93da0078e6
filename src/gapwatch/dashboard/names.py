"""Names the California School Dashboard uses: indicators, cut sets, levels and colors.

Levels and colors are string enums whose members are defined worst to best, so that
``cde_number`` (1 worst ... 5 best) is the code CDE's downloadable files use. For the "reversed"
indicators, where lower is better (chronic absenteeism, suspension), CDE's record layouts number
status levels 1 = Very High ... 5 = Very Low and change levels 1 = Increased Significantly ...
5 = Declined Significantly (cde.ca.gov/ta/ac/cm/chronic22.asp, suspindicatorfall17.asp); for the
others 1 = Very Low and 1 = Declined Significantly (math19.asp). Colors: 1 Red ... 5 Blue, 0 none.
Hence two enums per kind of level, one per direction. Members compare equal to their label
(``ReversedStatusLevel.VERY_HIGH == StatusLevel.VERY_HIGH == "Very High"``); only the number
differs. Source of the vocabulary: ../shared/design/METHODS.md section 1.1.
"""

from __future__ import annotations

from enum import StrEnum

#: Dashboard indicator names, in the Dashboard's order.
INDICATORS: tuple[str, ...] = (
    "ela", "math", "chronic_absence", "suspension", "graduation", "cci", "elpi",
)

#: gapwatch indicator ids -> Dashboard indicators.
GAPWATCH_INDICATORS: dict[str, str] = {
    "ela_dfs": "ela",
    "math_dfs": "math",
    "chronic_absence": "chronic_absence",
    "suspension_rate": "suspension",
    "graduation_rate_combined": "graduation",
    "cci_prepared": "cci",
    "el_progress": "elpi",
}

#: Indicators where a lower value is better ("reversed" on the Dashboard).
LOWER_IS_BETTER = frozenset({"chronic_absence", "suspension"})

#: Every cut-set name an indicator can have (a year's table may hold fewer).
CUT_SET_NAMES: dict[str, tuple[str, ...]] = {
    "ela": ("grades_3_8", "grade_11"),
    "math": ("grades_3_8", "grade_11"),
    "suspension": ("lea_elementary", "lea_high", "lea_unified", "school_elementary",
                   "school_middle", "school_high"),
    "chronic_absence": ("all",),
    "graduation": ("all",),
    "cci": ("all",),
    "elpi": ("all",),
}

#: Plain-language indicator names for reasons.
INDICATOR_LABELS: dict[str, str] = {
    "ela": "ELA", "math": "Math", "chronic_absence": "chronic absenteeism",
    "suspension": "suspension rate", "graduation": "graduation rate", "cci": "College/Career",
    "elpi": "English Learner Progress",
}

#: Status and change labels in ascending order of the value they describe.
STATUS_LABELS = ("Very Low", "Low", "Medium", "High", "Very High")
CHANGE_LABELS = ("Declined Significantly", "Declined", "Maintained", "Increased",
                 "Increased Significantly")


class _Ranked(StrEnum):
    """A level or color; members are defined worst to best."""

    @property
    def label(self) -> str:
        return self.value

    @property
    def cde_number(self) -> int:
        """CDE's code: 1 for the worst member ... 5 for the best."""
        return list(type(self)).index(self) + 1


class StatusLevel(_Ranked):
    """Status level where higher is better (CDE: 1 Very Low ... 5 Very High)."""

    VERY_LOW = "Very Low"
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"
    VERY_HIGH = "Very High"


class ReversedStatusLevel(_Ranked):
    """Status level where lower is better (CDE: 1 Very High ... 5 Very Low)."""

    VERY_HIGH = "Very High"
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"
    VERY_LOW = "Very Low"


class ChangeLevel(_Ranked):
    """Change level where higher is better (CDE: 1 Declined Significantly ... 5 Increased Sig.)."""

    DECLINED_SIGNIFICANTLY = "Declined Significantly"
    DECLINED = "Declined"
    MAINTAINED = "Maintained"
    INCREASED = "Increased"
    INCREASED_SIGNIFICANTLY = "Increased Significantly"


class ReversedChangeLevel(_Ranked):
    """Change level where lower is better (CDE: 1 Increased Significantly ... 5 Declined Sig.)."""

    INCREASED_SIGNIFICANTLY = "Increased Significantly"
    INCREASED = "Increased"
    MAINTAINED = "Maintained"
    DECLINED = "Declined"
    DECLINED_SIGNIFICANTLY = "Declined Significantly"


class Color(_Ranked):
    """Dashboard performance color (CDE: 1 Red ... 5 Blue; 0 means no color)."""

    RED = "Red"
    ORANGE = "Orange"
    YELLOW = "Yellow"
    GREEN = "Green"
    BLUE = "Blue"


def status_enum(indicator: str) -> type[StatusLevel] | type[ReversedStatusLevel]:
    """The status-level enum for a Dashboard indicator's direction."""
    return ReversedStatusLevel if indicator in LOWER_IS_BETTER else StatusLevel


def change_enum(indicator: str) -> type[ChangeLevel] | type[ReversedChangeLevel]:
    """The change-level enum for a Dashboard indicator's direction."""
    return ReversedChangeLevel if indicator in LOWER_IS_BETTER else ChangeLevel


def dashboard_indicator(name: str) -> str:
    """A Dashboard indicator name from either a Dashboard name or a gapwatch indicator id."""
    if name in CUT_SET_NAMES:
        return name
    if name in GAPWATCH_INDICATORS:
        return GAPWATCH_INDICATORS[name]
    raise ValueError(
        f"unknown Dashboard indicator {name!r}; use one of {', '.join(INDICATORS)} "
        f"or a gapwatch id: {', '.join(GAPWATCH_INDICATORS)}"
    )


def as_color(value: Color | str | None) -> Color | None:
    """A :class:`Color` from a Color, a label in any letter case, or None (no color)."""
    if value is None or isinstance(value, Color):
        return value
    try:
        return Color(str(value).strip().title())
    except ValueError:
        raise ValueError(
            f"unknown color {value!r}; use one of {', '.join(Color)} or None"
        ) from None
