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

#: CDE's Teaching Assignment Monitoring Outcomes (TAMO; SBE teacher equity definitions, Nov
#: 2019; METHODS.md 6.2): contract code (``tamo_outcome``), column stem and CDE's word.
TAMO = (
    ("CLEAR", "clear", "Clear"),
    ("OUT_OF_FIELD", "out_of_field", "Out-of-Field"),
    ("INTERN", "intern", "Intern"),
    ("INEFFECTIVE", "ineffective", "Ineffective"),
    ("INCOMPLETE", "incomplete", "Incomplete"),
    ("UNKNOWN", "unknown", "Unknown"),
    ("NA", "na", "N/A"),
)
#: Outcomes a teacher's assignment can be placed in from the contract's columns; the others
#: (Incomplete, Unknown, N/A) leave the teacher out of the TAMO shares of teachers.
TAMO_KNOWN = ("CLEAR", "OUT_OF_FIELD", "INTERN", "INEFFECTIVE")
#: "Not fully credentialed": CDE's Ineffective and Intern assignments.
NOT_FULLY_CREDENTIALED = ("INTERN", "INEFFECTIVE")
#: Credential codes of an emergency permit, a waiver or no authorization: Ineffective (a), (c).
INEFFECTIVE_CREDENTIALS = ("PERMIT", "WAIVER", "NONE")
#: Inexperienced: two or fewer years of teaching experience (SBE definition; not < 2).
INEXPERIENCED_MAX_YEARS = 2


def tamo_sql() -> str:
    """SQL over a ``staff`` row: the TAMO outcome of a teacher's assignment (NULL for others).

    ``tamo_outcome`` when given (CDE's report); otherwise from ``credential`` and
    ``out_of_field``: no credential, an emergency permit or a waiver -> Ineffective; an intern
    credential -> Intern; a limited assignment permit -> Out-of-Field; a full (clear or
    preliminary) credential that does not authorize the assignment (``out_of_field``) ->
    Ineffective (misassigned); otherwise Clear; no credential given -> Unknown.
    """
    bad = ", ".join(f"'{c}'" for c in INEFFECTIVE_CREDENTIALS)
    return f"""CASE WHEN role <> 'TEACHER' THEN NULL
        WHEN tamo_outcome IS NOT NULL THEN tamo_outcome
        WHEN credential IS NULL THEN 'UNKNOWN'
        WHEN credential IN ({bad}) THEN 'INEFFECTIVE'
        WHEN credential = 'INTERN' THEN 'INTERN'
        WHEN credential = 'LIMITED_PERMIT' THEN 'OUT_OF_FIELD'
        WHEN coalesce(out_of_field, FALSE) THEN 'INEFFECTIVE'
        ELSE 'CLEAR' END"""

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
    Measure("novice", "rate", "Inexperienced teachers (two or fewer years of experience)",
            "percentage points"),
    Measure("not_fully_credentialed", "rate",
            "Teachers in Ineffective or Intern assignments (CDE)", "percentage points"),
    Measure("out_of_field", "rate", "Teachers in Out-of-Field assignments (CDE)",
            "percentage points"),
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

#: FTE-based figures beside the teacher counts: percent of teacher FTE in each TAMO outcome
#: (the seven add up to 100) and inexperienced teachers' share of the FTE with known experience.
FTE_SHARES: tuple[Measure, ...] = (
    *(Measure(f"tamo_{stem}_fte_pct", "ratio", f"{word} (CDE): percent of teacher FTE",
              "percent of teacher FTE", f"tamo_{stem}_fte", "teacher_fte", 100.0)
      for _, stem, word in TAMO),
    Measure("novice_fte_pct", "ratio", "Inexperienced teachers: percent of teacher FTE",
            "percent of teacher FTE", "novice_fte", "novice_fte_den", 100.0),
)

MEANS: tuple[Measure, ...] = (
    Measure("principal_years_at_school", "mean", "Principal's years at the school", "years"),
    Measure("principals_3yr", "mean", "Principals in the last 3 years", "principals"),
)

MEASURES: tuple[Measure, ...] = (*RATES, *RATIOS, *FTE_SHARES, *MEANS)

#: Rate measures computed by school from teacher counts (principal_change is a school's yes/no
#: and is pooled over schools by band only).
SCHOOL_RATES = tuple(m for m in RATES if m.name != "principal_change")
