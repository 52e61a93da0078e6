"""Names that arrive as data (CSV values) and are translated on the page.

Listed here with ``N_`` so that message extraction puts them in the catalog: the built-in
indicator names (gapwatch.indicators.registry), the student groups (gapwatch.contract.codes),
Dashboard colors and levels (gapwatch.dashboard.names), goal statuses and the door's texts.
A name missing from the catalog is shown as published.
"""

from __future__ import annotations

from gapwatch.report.i18n import N_

INDICATOR_NAMES = (
    N_("Chronic absenteeism (K-8)"), N_("Chronic absenteeism (K-12)"), N_("Suspension rate"),
    N_("Grade 3 reading: met or exceeded standard"),
    N_("Grade 8: C or better in English and math"), N_("Ninth grade on track"),
    N_("a-g on track"), N_("Four-year graduation rate"),
    N_("Graduation rate (four- and five-year)"), N_("a-g completion among graduates"),
    N_("College and career prepared among graduates"),
    N_("College/Career Indicator: prepared"), N_("State Seal of Biliteracy among graduates"),
    N_("English learners reclassified by the end of grade 6"),
    N_("English Learner Progress (ELPI)"), N_("Long-term English learners"),
    N_("English language arts: Distance from Standard"),
    N_("Mathematics: Distance from Standard"),
    N_("English language arts: met or exceeded standard"),
    N_("Mathematics: met or exceeded standard"),
    N_("Pathway to Biliteracy award in grade 5"), N_("Pathway to Biliteracy award in grade 8"),
)

GROUP_NAMES = (
    N_("All students"), N_("African American"), N_("American Indian or Alaska Native"),
    N_("Asian"), N_("Filipino"), N_("Hispanic or Latino"), N_("Pacific Islander"), N_("White"),
    N_("Two or more races"), N_("Not reported"), N_("Female"), N_("Male"), N_("Nonbinary"),
    N_("Socioeconomically disadvantaged"), N_("English learners"),
    N_("Reclassified fluent English proficient"), N_("English only"),
    N_("Long-term English learners"), N_("Students with disabilities"), N_("Foster youth"),
    N_("Homeless youth"), N_("Migrant"), N_("Dual-language program students"),
)

#: CDE's colors: code 1 worst ... 5 best (gapwatch.dashboard.names), with a swatch color.
COLORS = {
    "Red": "#c62828", "Orange": "#ef6c00", "Yellow": "#fdd835", "Green": "#2e7d32",
    "Blue": "#1565c0",
}
COLOR_CODES = {"1": "Red", "2": "Orange", "3": "Yellow", "4": "Green", "5": "Blue"}
COLOR_NAMES = (N_("Red"), N_("Orange"), N_("Yellow"), N_("Green"), N_("Blue"), N_("No color"))

LEVEL_NAMES = (
    N_("Very Low"), N_("Low"), N_("Medium"), N_("High"), N_("Very High"),
    N_("Declined Significantly"), N_("Declined"), N_("Maintained"), N_("Increased"),
    N_("Increased Significantly"),
)

GOAL_STATUSES = (N_("met"), N_("on track"), N_("off track"), N_("no data"))

SHOWN_TEXTS = (N_("suppressed"),)


def color_name(color: str) -> str:
    """``"Red"``, ``"1"`` or ``""`` -> the color's English name (``""`` when none)."""
    color = color.strip()
    if color in COLOR_CODES:
        return COLOR_CODES[color]
    if color in {"", "0", "None", "none"}:
        return ""
    return color.capitalize()
