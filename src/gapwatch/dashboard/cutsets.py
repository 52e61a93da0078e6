"""Which cut set an entity is held to: ELA and math by tested grades, suspension by entity type.

- ELA and math (METHODS.md 1.2): ``grade_11`` when the entity tests only grade 11 (CDE's
  ``hscutpoints`` flag), else ``grades_3_8``. Without ``tested_grades`` the Smarter Balanced
  grades (3-8, 11) inside the grade span stand in for them; with neither, ``grades_3_8``.
- Suspension (METHODS.md 1.4, 1.7): six sets. Schools: ELEM, MIDDLE, HIGH map to the school
  sets. A school spanning K-12 uses the LEA unified set, as CDE's tables say ("LEA Suspension:
  Unified District and K-12 Schools", Five-by-Five Colored Tables, November 2017). Other K12,
  ALT and OTHER schools go by grade span: reaching grade 9 or above -> ``school_high``; grades
  6-8 only -> ``school_middle``; otherwise (K-5, K-8 ...) -> ``school_elementary``; a K12 school
  without a grade span -> ``lea_unified``. CDE assigns the type itself (the ``type`` column of
  its suspension file); when it is known, pass the cut set directly.
- Districts and board districts (gapwatch treats a board district like an LEA; CDE rates
  neither trustee areas nor their schools as one): ``lea_unified`` when the grades served cover
  K-12, ``lea_high`` when only 9-12, ``lea_elementary`` otherwise. CDE uses the legal district
  type (elementary, high school, unified district), which a grade span only approximates: a 7-12
  high school district gets ``lea_elementary`` here and should pass ``lea_high``.
- Every other indicator: ``all``.
"""

from __future__ import annotations

from collections.abc import Iterable

from gapwatch.contract.schema import GRADE_VALUES
from gapwatch.dashboard.names import dashboard_indicator
from gapwatch.reference import SBAC_GRADES

ENTITY_TYPES = ("district", "board_district", "school")
SCHOOL_SETS = {"ELEM": "school_elementary", "MIDDLE": "school_middle", "HIGH": "school_high"}
SPAN_TYPES = ("K12", "ALT", "OTHER")

Grade = int | str | None


def choose_cut_set(indicator: str, *, entity_type: str, school_type: str | None = None,
                   tested_grades: Iterable[Grade] = (), grade_low: Grade = None,
                   grade_high: Grade = None) -> str:
    """The cut set an entity is held to for ``indicator`` (see the module docstring).

    Grades are integers (TK -1, K 0) or contract labels ("TK", "K", "1" ... "12").

    >>> choose_cut_set("ela", entity_type="school", tested_grades=[11])
    'grade_11'
    >>> choose_cut_set("math_dfs", entity_type="school", grade_low="K", grade_high=8)
    'grades_3_8'
    >>> choose_cut_set("suspension", entity_type="school", school_type="MIDDLE")
    'school_middle'
    >>> choose_cut_set("suspension", entity_type="school", school_type="K12",
    ...                grade_low="K", grade_high=12)
    'lea_unified'
    >>> choose_cut_set("suspension", entity_type="district", grade_low=9, grade_high=12)
    'lea_high'
    >>> choose_cut_set("chronic_absence", entity_type="district")
    'all'
    """
    name = dashboard_indicator(indicator)
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"unknown entity_type {entity_type!r}; use one of "
                         f"{', '.join(ENTITY_TYPES)}")
    low, high = _grade(grade_low), _grade(grade_high)
    if name in ("ela", "math"):
        return _academic(tested_grades, low, high)
    if name != "suspension":
        return "all"
    if entity_type == "school":
        return _school(school_type, low, high)
    if low is None or high is None:
        raise ValueError(f"a {entity_type}'s suspension cut set needs grade_low and grade_high")
    if low <= 0 and high >= 12:
        return "lea_unified"
    return "lea_high" if low >= 9 else "lea_elementary"


def _academic(tested_grades: Iterable[Grade], low: int | None, high: int | None) -> str:
    tested = {g for g in map(_grade, tested_grades) if g in SBAC_GRADES}
    if not tested and low is not None and high is not None:
        tested = {g for g in SBAC_GRADES if low <= g <= high}
    return "grade_11" if tested == {11} else "grades_3_8"


def _school(school_type: str | None, low: int | None, high: int | None) -> str:
    if school_type in SCHOOL_SETS:
        return SCHOOL_SETS[school_type]
    if school_type not in SPAN_TYPES:
        raise ValueError(f"unknown school_type {school_type!r}; use one of "
                         f"{', '.join([*SCHOOL_SETS, *SPAN_TYPES])}")
    if low is None or high is None:
        if school_type == "K12":
            return "lea_unified"
        raise ValueError(f"a {school_type} school's suspension cut set needs grade_low and "
                         "grade_high")
    if low <= 0 and high >= 12:
        return "lea_unified"
    if high >= 9:
        return "school_high"
    return "school_middle" if low >= 6 else "school_elementary"


def _grade(value: Grade) -> int | None:
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip().upper()
    if text not in GRADE_VALUES:
        raise ValueError(f"unknown grade {value!r}; use an integer or one of "
                         f"{', '.join(GRADE_VALUES)}")
    return GRADE_VALUES[text]
