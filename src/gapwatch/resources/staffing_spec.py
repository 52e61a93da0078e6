"""The staffing measures as data: what each counts, from which columns, and where it comes from.

Three kinds, each pooled and compared across need bands its own way
(:mod:`gapwatch.resources.staffing_bands`):

- ``rate``: ``k`` of ``n`` teachers, sections or schools; by school the table has ``<name>_num``,
  ``<name>_den``, ``<name>_rate`` and a Wilson 95% interval ``<name>_ci_low``/``<name>_ci_high``.
- ``ratio``: ``scale * numerator / denominator`` (FTE per 100 students, students per teacher FTE).
- ``mean``: a school-level number (principal tenure) averaged over schools.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Need bands of the need index, highest need first.
BANDS = ("Highest", "High", "Moderate", "Low", "Lowest")

#: Credential codes counted as "not fully credentialed" (CDE's Teaching Assignment Monitoring
#: Outcomes: INTERN = "Intern"; PERMIT, WAIVER and NONE fall under "Ineffective").
NOT_FULLY_CREDENTIALED = ("INTERN", "PERMIT", "WAIVER", "NONE")

#: Roles whose FTE per 100 students is reported: (role code, output stem).
STAFF_LEVELS = (
    ("TEACHER", "teacher"),
    ("COUNSELOR", "counselor"),
    ("NURSE", "nurse"),
    ("SOCIAL_WORKER", "social_worker"),
)


@dataclass(frozen=True)
class Measure:
    """One staffing measure: ``name`` (column stem), ``kind``, ``label``, ``unit`` of its gap."""

    name: str
    kind: str  # "rate", "ratio" or "mean"
    label: str
    unit: str
    numerator: str = ""  # ratio: column summed over schools
    denominator: str = ""  # ratio: column summed over schools
    scale: float = 1.0  # ratio: multiplier


RATES: tuple[Measure, ...] = (
    Measure("turnover", "rate", "Teacher turnover from last year (leavers + movers)",
            "percentage points"),
    Measure("novice", "rate", "Novice teachers (fewer than 2 years of experience)",
            "percentage points"),
    Measure("not_fully_credentialed", "rate",
            "Teachers not fully credentialed (intern, permit, waiver, none)", "percentage points"),
    Measure("out_of_field", "rate", "Teachers teaching out of field", "percentage points"),
    Measure("mandatory", "rate", "Teachers placed by mandatory assignment", "percentage points"),
    Measure("eld_multi_sub", "rate", "ELD sections taught by 2 or more distinct substitutes",
            "percentage points"),
    Measure("principal_change", "rate", "Schools whose principal changed from last year",
            "percentage points"),
)

RATIOS: tuple[Measure, ...] = (
    *(Measure(f"{stem}s_per_100", "ratio", f"{role.title().replace('_', ' ')} FTE per 100 "
              "students", "per 100 students", f"{stem}_fte", "enrolled_census", 100.0)
      for role, stem in STAFF_LEVELS),
    Measure("students_per_teacher", "ratio", "Students per teacher FTE", "students",
            "enrolled_census", "teacher_fte", 1.0),
)

MEANS: tuple[Measure, ...] = (
    Measure("principal_years_at_school", "mean", "Principal's years at the school", "years"),
    Measure("principals_3yr", "mean", "Principals in the last 3 years", "principals"),
)

MEASURES: tuple[Measure, ...] = (*RATES, *RATIOS, *MEANS)

#: Rate measures computed by school from teacher counts (principal_change is a school's yes/no
#: and is pooled over schools by band only).
SCHOOL_RATES = tuple(m for m in RATES if m.name != "principal_change")
