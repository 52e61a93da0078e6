"""Every parameter of the synthetic district generator, with its default and a one-line help.

Defaults sketch a large urban California district (shares near Los Angeles Unified's public
figures, rounded; see docs/synthetic-data.md for sources and what is approximated). Override any
of them from a TOML file of ``name = value`` lines (``SynthParams.from_toml``); mapping
parameters (``race_shares``, ...) are TOML tables whose keys are merged into the defaults.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, get_type_hints

GRADE_LABELS: tuple[str, ...] = ("TK", "K", *(str(g) for g in range(1, 13)))


def _p(default: Any, help: str) -> Any:
    """A parameter: its default and its one-line help (shown in docs/synthetic-data.md)."""
    if isinstance(default, dict):
        frozen = MappingProxyType(dict(default))
        return field(default_factory=lambda: frozen, metadata={"help": help})
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class SynthParams:
    """Parameters of the synthetic district. Shares are fractions (0.19 = 19%)."""

    # --- identity -------------------------------------------------------------------------------
    district_id: str = _p("9900001", "District identifier written in `schools.district_id`.")
    district_name: str = _p("Synthetic Unified School District", "District name.")
    board_districts: int = _p(7, "School board trustee areas (`schools.board_district`).")

    # --- schools ----------------------------------------------------------------------------------
    school_types: str = _p("", "Comma-separated types of the schools, in order, overriding the "
                           "shares below: ELEM (TK-5), MIDDLE (6-8), HIGH (9-12), K8, K12, ALT "
                           "(continuation, 9-12); e.g. \"ELEM,ELEM,HIGH\". Students only "
                           "attend grades some school serves; the others leave the district.")
    middle_school_share: float = _p(0.15, "Share of schools that are middle schools (6-8).")
    high_school_share: float = _p(0.13, "Share of schools that are comprehensive high schools.")
    k8_share: float = _p(0.04, "Share of schools that are TK-8 span schools (typed ELEM).")
    k12_share: float = _p(0.01, "Share of schools that are TK-12 span schools (typed K12).")
    alt_share: float = _p(0.03, "Share of schools that are alternative (continuation) high "
                          "schools, grades 9-12.")
    charter_share: float = _p(0.08, "Share of schools that are charters (never an area's only "
                              "school of its level).")
    segregation: float = _p(1.0, "How strongly neighbourhood need drives school composition "
                            "(0 = every school alike, 1 = default, 2 = starker).")
    area_need_sd: float = _p(1.0, "Spread of need between feeder areas (standard deviations).")
    school_need_sd: float = _p(0.35, "Extra spread of need between schools of one area.")
    dual_language_school_share: float = _p(0.12, "Share of elementary and span schools with a "
                                           "dual-language program.")
    dual_language_student_share: float = _p(0.35, "Share of a dual-language school's TK-8 "
                                            "students enrolled in the program.")
    title1_threshold: float = _p(0.5, "SED share at or above which a school is Title I.")

    # --- students: shares in the first year ----------------------------------------------------
    race_shares: Mapping[str, float] = _p(
        {"HI": 0.74, "WH": 0.10, "AA": 0.07, "AS": 0.04, "FI": 0.02, "MR": 0.015, "PI": 0.003,
         "AI": 0.002, "NR": 0.01},
        "Race/ethnicity shares (relative weights, normalized).",
    )
    gender_shares: Mapping[str, float] = _p(
        {"F": 0.487, "M": 0.508, "X": 0.005}, "Gender shares (relative weights, normalized)."
    )
    grade_shares: Mapping[str, float] = _p(
        {"TK": 0.030, "K": 0.064, "1": 0.066, "2": 0.068, "3": 0.070, "4": 0.071, "5": 0.072,
         "6": 0.072, "7": 0.073, "8": 0.074, "9": 0.086, "10": 0.080, "11": 0.077, "12": 0.077},
        "Grade distribution of the first year (relative weights, normalized).",
    )
    sed_share: float = _p(0.80, "Socioeconomically disadvantaged (SED) share.")
    frpm_given_sed: float = _p(0.95, "Share of SED students eligible for free/reduced meals.")
    el_share: float = _p(0.19, "Current English learner (EL) share.")
    rfep_share: float = _p(0.25, "Reclassified fluent English proficient (RFEP) share.")
    ifep_share: float = _p(0.04, "Initially fluent English proficient (IFEP) share.")
    tbd_share: float = _p(0.03, "Share of newly arrived non-English-home students whose first "
                          "year's status is still TBD.")
    el_foreign_born_share: float = _p(0.30, "Share of ever-EL students who entered US schools "
                                      "after kindergarten.")
    never_reclassify_share: float = _p(0.06, "Share of ELs (without disabilities) who never "
                                       "reclassify; four times as many among ELs with IEPs.")
    reclass_ability_effect: float = _p(0.45, "How much ability speeds reclassification (log "
                                       "years per SD).")
    swd_share: float = _p(0.14, "Students with disabilities (SWD) share.")
    caa_share_of_swd: float = _p(0.08, "Share of SWD with significant cognitive disabilities "
                                 "(they take the CAA / Alternate ELPAC).")
    foster_share: float = _p(0.01, "Foster youth share.")
    homeless_share: float = _p(0.03, "Homeless (McKinney-Vento) share.")
    migrant_share: float = _p(0.005, "Migrant share.")

    # --- years: movement -------------------------------------------------------------------------
    instructional_days: int = _p(180, "Instructional days in each school year.")
    kindergarten_trend: float = _p(-0.02, "Yearly change of incoming TK/K cohorts "
                                   "(-0.02 = 2% smaller each year).")
    newcomer_rate: float = _p(0.035, "New students arriving each year in grades 1-12, as a "
                              "share of the grade.")
    newcomer_immigrant_share: float = _p(0.30, "Share of newcomers arriving from abroad (mostly "
                                         "English learners with a recent US school entry).")
    late_entry_share: float = _p(0.15, "Share of newcomers who arrive after the first day.")
    leave_rate: float = _p(0.05, "Yearly share of students who leave the district.")
    midyear_leave_share: float = _p(0.35, "Share of district leavers who leave during the year "
                                    "(the rest over the summer).")
    transfer_rate: float = _p(0.03, "Yearly share of students with a mid-year transfer between "
                              "two schools of the district.")
    school_change_rate: float = _p(0.03, "Yearly share changing school over the summer without "
                                   "a grade-span move.")
    alt_placement_rate: float = _p(0.05, "Yearly share of at-risk (riskiest fifth) grade 10-12 "
                                   "students placed in an alternative school (twice that in "
                                   "the first year).")
    retention_rate_k8: float = _p(0.01, "Share repeating a grade in TK-8.")
    retention_rate_hs: float = _p(0.03, "Share repeating grades 9-11.")
    dropout_rate: float = _p(0.025, "Yearly dropout rate in grades 9-12.")
    midyear_dropout_share: float = _p(0.6, "Share of dropouts who leave during the year.")
    grad_rate_grade12: float = _p(0.90, "Share of enrolled seniors who graduate in the spring.")
    fifth_year_share: float = _p(0.5, "Share of non-graduating seniors who return for a fifth "
                                 "year.")
    fifth_year_grad_rate: float = _p(0.55, "Share of fifth-year seniors who graduate.")
    cert_share_swd: float = _p(0.35, "Share of non-graduating seniors with IEPs who leave with "
                               "a certificate of completion.")
    hse_share: float = _p(0.06, "Share of dropouts who earn a high-school equivalency.")
    ag_complete_rate: float = _p(0.55, "Share of graduates completing a-g.")
    seal_biliteracy_rate: float = _p(0.12, "Share of graduates earning the Seal of Biliteracy.")
    cci_prepared_rate: float = _p(0.45, "Share of graduates prepared on the College/Career "
                                  "Indicator.")

    # --- outcomes ---------------------------------------------------------------------------------
    sed_effect: float = _p(0.45, "Ability gap of SED students (SD).")
    swd_effect: float = _p(0.85, "Ability gap of students with disabilities (SD).")
    foster_effect: float = _p(0.40, "Ability gap of foster youth (SD).")
    homeless_effect: float = _p(0.30, "Ability gap of homeless students (SD).")
    el_ela_penalty: float = _p(0.45, "Extra ELA score gap while a student is an EL (SD).")
    el_math_penalty: float = _p(0.25, "Extra math score gap while a student is an EL (SD).")
    school_effect_sd: float = _p(0.22, "Spread of school effects on achievement (SD).")
    school_need_effect: float = _p(0.10, "Achievement lost per SD of school need (SD).")
    school_gap_sd: float = _p(0.40, "Spread across schools of the SED gap (as a multiplier "
                              "of `sed_effect`).")
    ela_mean_dfs: float = _p(-30.0, "District mean Distance from Standard in ELA, first year.")
    math_mean_dfs: float = _p(-65.0, "District mean Distance from Standard in math, first year.")
    ela_sd: float = _p(95.0, "Spread of ELA scale scores within a grade (points).")
    math_sd: float = _p(100.0, "Spread of math scale scores within a grade (points).")
    dfs_trend: float = _p(3.0, "District-wide change in mean DFS per year (points).")
    test_missing_rate: float = _p(0.03, "Share of enrolled students with no score (absent).")
    absence_rate: float = _p(0.09, "Mean share of enrolled days absent.")
    absence_spread: float = _p(1.1, "Spread of students' absence propensity (logit SD).")
    incidents_per_student: float = _p(0.05, "Discipline incidents per student per year.")
    discipline_bias_aa: float = _p(0.6, "Extra log-rate of incidents for African American "
                                   "students at the same risk (varies by school).")
    discipline_bias_swd: float = _p(0.4, "Extra log-rate of incidents for students with "
                                    "disabilities at the same risk.")
    action_shares: Mapping[str, float] = _p(
        {"OSS": 0.45, "ISS": 0.12, "EXP": 0.01, "OTHER": 0.42},
        "Discipline actions (relative weights, normalized).",
    )
    mark_shares: Mapping[str, float] = _p(
        {"A+": 0.05, "A": 0.14, "A-": 0.10, "B+": 0.09, "B": 0.11, "B-": 0.08, "C+": 0.07,
         "C": 0.09, "C-": 0.05, "D+": 0.03, "D": 0.04, "D-": 0.02, "F": 0.13},
        "Distribution of letter marks (relative weights, normalized).",
    )
    pass_no_pass_share: float = _p(0.03, "Share of PE and arts marks given as P/NP.")
    incomplete_share: float = _p(0.003, "Share of marks that are I (incomplete).")
    secondary_class_size: int = _p(30, "Target students per secondary section.")
    elementary_class_size: int = _p(24, "Target students per elementary homeroom.")
    eld_class_size: int = _p(22, "Target students per ELD section.")

    # --- staff ------------------------------------------------------------------------------------
    students_per_teacher: float = _p(24.0, "Students per teacher (before school variation).")
    teacher_ratio_sd: float = _p(0.10, "Spread of student-teacher ratios between schools (log).")
    students_per_counselor: float = _p(450.0, "Students per counselor in middle and high "
                                       "schools.")
    teacher_turnover: float = _p(0.12, "Yearly teacher turnover at a school of average need.")
    principal_turnover: float = _p(0.15, "Yearly principal turnover at a school of average "
                                   "need.")
    turnover_need_effect: float = _p(0.35, "Log-odds of leaving added per SD of school need.")
    staff_move_share: float = _p(0.35, "Share of leavers who move to another school of the "
                                 "district (the rest leave it).")
    novice_hire_share: float = _p(0.45, "Share of new hires who are novices (0-1 years) at a "
                                  "school of average need.")
    novice_need_effect: float = _p(0.6, "Log-odds of a novice hire added per SD of school need.")
    substitute_days_mean: float = _p(8.0, "Mean substitute days per section per year.")

    # --- money ------------------------------------------------------------------------------------
    lcff_base_rates: Mapping[str, float] = _p(
        {"K-3": 10025.0, "4-6": 10177.0, "7-8": 10478.0, "9-12": 12144.0},
        "LCFF base grant per ADA in 2024-25 by grade span (before span adjustments), for "
        "years without a shipped rate table (before 2021-22, after 2025-26).",
    )
    lcff_cola: float = _p(0.035, "Yearly change of LCFF rates applied to years without a "
                          "shipped rate table.")
    supp_conc_to_schools: float = _p(0.7, "Share of LCFF supplemental/concentration dollars "
                                     "allocated to schools (the rest stays central).")
    title1_per_pupil: float = _p(650.0, "Title I dollars per SED student in Title I schools.")
    equity_index_per_pupil: float = _p(400.0, "Equity-index dollars per student in the "
                                       "highest-need fifth of schools (half in the next fifth).")
    local_per_pupil: float = _p(120.0, "Local funds (grants, foundations) per student at a "
                                "school of average need; more in affluent schools.")
    position_cost: float = _p(115000.0, "Average cost of one position with benefits, to "
                              "derive budget `fte`.")

    # --- community and supports ------------------------------------------------------------------
    partners: int = _p(0, "Community partners (0 = 20 to 40, scaled to the district).")
    tier2_share: float = _p(0.08, "Share of student-years with a tier 2 intervention.")
    tier3_share: float = _p(0.02, "Share of student-years with a tier 3 intervention.")
    partner_intervention_share: float = _p(0.35, "Share of interventions delivered by a "
                                           "community partner.")
    home_visit_share: float = _p(0.01, "Share of students whose family gets a home visit in a "
                                 "year (more in high-need schools).")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Mapping):
                if any((not isinstance(v, int | float)) or v < 0 for v in value.values()):
                    raise ValueError(f"{f.name}: every value must be a number >= 0")
                if f.name.endswith("_shares") and sum(value.values()) <= 0:
                    raise ValueError(f"{f.name}: the weights must not all be zero")
            elif isinstance(value, float) and (
                f.name.endswith(("_share", "_rate", "_gpa"))
                or f.name in ("sed_share", "frpm_given_sed", "title1_threshold")
            ) and not 0.0 <= value <= 1.0:
                raise ValueError(f"{f.name} = {value}: a share must lie between 0 and 1")
        if not 100 <= self.instructional_days <= 190:
            raise ValueError("instructional_days must lie between 100 and 190")
        if self.board_districts < 1:
            raise ValueError("board_districts must be at least 1")
        if self.el_share + self.rfep_share + self.ifep_share >= 0.95:
            raise ValueError("el_share + rfep_share + ifep_share must stay below 0.95")

    @classmethod
    def from_toml(cls, path: str | Path) -> SynthParams:
        """Defaults overridden by the ``name = value`` lines of the TOML file at ``path``."""
        path = Path(path)
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "overrides") -> SynthParams:
        """Defaults overridden by ``data``; unknown names and wrong types raise ValueError."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        hints = get_type_hints(cls)
        defaults = cls()
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name not in known:
                raise ValueError(
                    f"unknown synthetic-data parameter {name!r} in {source}; "
                    f"known parameters: {', '.join(known)}"
                )
            default = getattr(defaults, name)
            values[name] = _coerce(name, value, default, hints[name], source)
        return dataclasses.replace(defaults, **values)

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """(name, default as text, help) for every parameter, in declaration order."""
        defaults = cls()
        rows = []
        for f in dataclasses.fields(cls):
            value = getattr(defaults, f.name)
            if isinstance(value, Mapping):
                text = ", ".join(f"{k} = {v:g}" for k, v in value.items())
            else:
                text = repr(value) if isinstance(value, str) else f"{value}"
            rows.append((f.name, text, f.metadata["help"]))
        return rows

    def shares(self, name: str) -> dict[str, float]:
        """The mapping parameter ``name`` normalized to sum to one."""
        mapping: Mapping[str, float] = getattr(self, name)
        total = float(sum(mapping.values()))
        return {k: float(v) / total for k, v in mapping.items()}


def _coerce(name: str, value: Any, default: Any, hint: Any, source: str) -> Any:
    where = f"{name} in {source}"
    if isinstance(default, Mapping):
        if not isinstance(value, Mapping):
            raise ValueError(f"{where}: expected a table of {', '.join(default)}")
        unknown = [k for k in value if k not in default]
        if unknown:
            raise ValueError(
                f"{where}: unknown key {unknown[0]!r}; known keys: {', '.join(default)}"
            )
        merged = dict(default)
        for k, v in value.items():
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise ValueError(f"{where}: {k} must be a number, got {v!r}")
            merged[k] = float(v)
        return MappingProxyType(merged)
    if hint in (float, "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if hint in (int, "int"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{where}: expected a whole number, got {value!r}")
        return value
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected text, got {value!r}")
    return value


#: First parameter of each group, with the group's heading in docs/synthetic-data.md.
GROUPS: dict[str, str] = {
    "district_id": "District",
    "middle_school_share": "Schools",
    "race_shares": "Students (shares in the first year)",
    "instructional_days": "Years: movement, retention, graduation",
    "sed_effect": "Outcomes: achievement, tests, absences, discipline, marks",
    "students_per_teacher": "Staff",
    "lcff_base_rates": "Money",
    "partners": "Community and supports",
}


def params_markdown() -> str:
    """The parameter tables of docs/synthetic-data.md (a test keeps the docs current)."""
    lines: list[str] = []
    for name, default, help_ in SynthParams.describe():
        if name in GROUPS:
            if lines:
                lines.append("")
            lines += [f"#### {GROUPS[name]}", "", "| parameter | default | meaning |",
                      "|---|---|---|"]
        lines.append(f"| `{name}` | {default} | {help_} |")
    return "\n".join(lines) + "\n"
