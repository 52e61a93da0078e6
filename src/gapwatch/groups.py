"""Student groups: the contract's default set, gender codes, and district intersections.

Each group is a SQL predicate over a row of the student-year view (docs/indicators.md). An
intersection such as ``AA+M`` (African American boys) or ``EL+SWD`` is the AND of its parts and
keeps its name, parts joined with ``+`` in the order the district wrote them.

Source: ../shared/design/DATA_MODEL.md, "Student groups". A student's membership is taken from
the enrollment of that year (see docs/indicators.md for how transfers are combined).
"""

from __future__ import annotations

from dataclasses import dataclass

from gapwatch.contract import CODE_SETS, STUDENT_GROUPS
from gapwatch.families.groups import home_language_labels
from gapwatch.sql import sql_string

#: Group code -> SQL predicate over the student-year view.
PREDICATES: dict[str, str] = {
    "ALL": "TRUE",
    **{code: f"race_ethnicity = {sql_string(code)}" for code in CODE_SETS["race_ethnicity"]},
    **{code: f"gender = {sql_string(code)}" for code in CODE_SETS["gender"]},
    "SED": "sed",
    "EL": "el",
    "RFEP": "el_status = 'RFEP'",
    "EO": "el_status = 'EO'",
    "LTEL": "ltel",
    "SWD": "swd",
    "FOS": "foster",
    "HOM": "homeless",
    "MIG": "migrant",
    "DL": "dual_language",
}

#: Every column of the views that a group predicate reads (aggregation groups by these first).
GROUP_COLUMNS: tuple[str, ...] = (
    "race_ethnicity", "gender", "el_status", "el", "el_academic", "elpi_el", "ltel", "sed",
    "swd", "foster", "homeless", "migrant", "dual_language",
)

#: Groups reported where the data has them (not in the contract's default set): students in a
#: dual-language program (``enrollments.dual_language``).
DATA_GROUPS: dict[str, str] = {"DL": "Dual-language program students",
                               **home_language_labels()}

#: For the Academic Indicator the EL group also counts students reclassified in the past four
#: years (CDE, cde.ca.gov/ta/ac/cm/acadindcal.asp). Indicators marked ``el_group="academic"``
#: use this predicate for ``EL``.
ACADEMIC_EL = "el_academic"
#: Who ``EL`` means for an indicator, by its ``el_group``: for the Academic Indicator, recently
#: reclassified students too; for ELPI, students reclassified after taking that year's ELPAC
#: (CDE ELPI, METHODS.md 6.3).
EL_PREDICATES = {"academic": ACADEMIC_EL, "elpi": "elpi_el"}

GENDER_LABELS = {f"{c}": label for c, label in CODE_SETS["gender"].items()}

#: The default set reported for every indicator (DATA_MODEL.md), in report order.
DEFAULT_GROUPS: tuple[str, ...] = tuple(STUDENT_GROUPS)


class GroupError(ValueError):
    """A configured group or intersection is not known."""


@dataclass(frozen=True)
class Group:
    """A reported student group: a code (``ALL``, ``HI``, ``AA+M``) and its predicate."""

    code: str
    parts: tuple[str, ...]

    def predicate(self, el_group: str = "current") -> str:
        """SQL over the student-year view; ``el_group`` "academic" or "elpi" widens EL."""
        clauses = [
            EL_PREDICATES[el_group] if part == "EL" and el_group in EL_PREDICATES
            else PREDICATES[part]
            for part in self.parts
        ]
        return " AND ".join(f"({c})" for c in clauses) if len(clauses) > 1 else clauses[0]

    @property
    def label(self) -> str:
        return " + ".join(group_label(p) for p in self.parts)


def group_label(code: str) -> str:
    """Plain-language name of a single group code."""
    return (STUDENT_GROUPS.get(code) or GENDER_LABELS.get(code) or DATA_GROUPS.get(code)
            or code)


def parse_group(code: str) -> Group:
    """``"AA+M"`` -> Group(code="AA+M", parts=("AA", "M")); unknown parts raise GroupError."""
    parts = tuple(p.strip() for p in code.split("+"))
    unknown = [p for p in parts if p not in PREDICATES]
    if unknown or not all(parts):
        known = ", ".join(PREDICATES)
        raise GroupError(f"unknown student group {unknown[0] if unknown else code!r} in "
                         f"{code!r} (known: {known})")
    if "ALL" in parts and len(parts) > 1:
        raise GroupError(f"{code!r}: ALL cannot be part of an intersection")
    return Group("+".join(parts), parts)


def reported_groups(extra: list[str] | tuple[str, ...] = (),
                    intersections: list[str] | tuple[str, ...] = (),
                    data_groups: list[str] | tuple[str, ...] = ()) -> list[Group]:
    """The default groups, the groups the data has (:data:`DATA_GROUPS`), then configured
    extra single groups, then intersections."""
    codes = list(DEFAULT_GROUPS)
    for code in [*data_groups, *extra, *intersections]:
        if code not in codes:
            codes.append(code)
    return [parse_group(c) for c in codes]
