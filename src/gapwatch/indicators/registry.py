"""The indicator registry: every built-in indicator as data, following METHODS.md.

An indicator is a universe (who counts) and an outcome (what is counted or averaged), both SQL
over one of the two documented views (docs/indicators.md):

- ``student_year``: one row per student, entity (district, board district, school) and year;
- ``cohort``: one row per student in a graduation cohort, entity and year.

A rate counts the universe rows whose outcome is true; a mean averages a numeric outcome.
Districts add their own indicators in the config file with the same fields.
"""

from __future__ import annotations

from gapwatch.families.indicators import family_indicators
from gapwatch.indicators.indicator import Direction, Indicator, Kind, Source

__all__ = ["BUILTIN", "BUILTIN_BY_ID", "Direction", "Indicator", "Kind", "Source"]


SBAC = (
    "Smarter Balanced threshold scores, approved Nov. 2014 "
    "(cde.ca.gov/ta/tg/ca/sbelathresholdscre.asp, sbmaththresholdscre.asp)"
)
CDE_ACADEMIC = "CDE Academic Indicator (cde.ca.gov/ta/ac/cm/acadindcal.asp)"
ACADEMIC_CAVEATS = (
    "Counts students tested in grades 3-8 and 11 who were continuously enrolled (enrolled at the "
    "entity on or before census day, the first Wednesday in October, and still enrolled on the "
    "test date), excluding English learners in US schools for less than a year. CAA scores are "
    "not in the mean (how CDE places them on Distance from Standard was not found)."
)


def _academic(subject: str, kind: Kind) -> Indicator:
    s = subject.lower()
    name = "English language arts" if subject == "ELA" else "Mathematics"
    if kind is Kind.MEAN:
        return Indicator(
            id=f"{s}_dfs", name=f"{name}: Distance from Standard",
            description=f"Average points above (+) or below (-) the lowest score for 'Standard "
            f"Met' (Level 3) on the Smarter Balanced {name} test, grades 3-8 and 11.",
            citation=f"{CDE_ACADEMIC}; {SBAC}",
            universe=f"{s}_included", outcome=f"{s}_dfs",
            kind=kind, direction=Direction.HIGHER, grades="3-8, 11", needs=("assessments",),
            el_group="academic", caveats=ACADEMIC_CAVEATS + " The participation rule "
            "(lowest obtainable scale scores for missing tests below 95% participation, "
            "2024-25 layouts) applies when `indicators.participation_rule` is on; the "
            "participation rate is reported either way (`participation`, `loss_added`).",
            levels=f"{s}_level", level_count=4, participation=s,
        )
    return Indicator(
        id=f"{s}_met", name=f"{name}: met or exceeded standard",
        description=f"Share of tested students scoring at Level 3 (Standard Met) or Level 4 "
        f"(Standard Exceeded) on the Smarter Balanced {name} test, grades 3-8 and 11.",
        citation=f"CAASPP achievement levels; {SBAC}",
        universe=f"{s}_included", outcome=f"{s}_level >= 3",
        kind=kind, direction=Direction.HIGHER, grades="3-8, 11", needs=("assessments",),
        el_group="academic", caveats=ACADEMIC_CAVEATS,
    )


C_OR_BETTER = "A+, A, A-, B+, B, B-, C+, C or P"

BUILTIN: tuple[Indicator, ...] = (
    Indicator(
        id="chronic_absence", name="Chronic absenteeism (K-8)",
        description="Share of students in kindergarten through grade 8, enrolled at least 31 "
        "instructional days and attending at least part of one, who were absent 10% or more of "
        "the days they were enrolled.",
        citation="CDE Dashboard Chronic Absenteeism Indicator, 2023 onward; METHODS.md 1.3",
        universe="grade BETWEEN 0 AND 8 AND days_enrolled >= 31 AND days_attended > 0",
        outcome="days_absent >= 0.1 * days_enrolled",
        kind=Kind.RATE, direction=Direction.LOWER, grades="K-8", needs=("enrollments",),
        needs_columns=("enrollments.days_enrolled", "enrollments.days_absent"),
        caveats="At a school, days are those enrolled at that school; for the district and "
        "board districts, days at every school are added up. Days come from attendance_daily "
        "when given. Transitional kindergarten is not counted.",
        universe_within=("chronic_absence_k12",),
    ),
    Indicator(
        id="chronic_absence_k12", name="Chronic absenteeism (K-12)",
        description="The chronic absenteeism definition applied to kindergarten through grade "
        "12 (a gapwatch variant; the Dashboard reports K-8).",
        citation="CDE definition extended to grades 9-12 (gapwatch variant)",
        universe="grade BETWEEN 0 AND 12 AND days_enrolled >= 31 AND days_attended > 0",
        outcome="days_absent >= 0.1 * days_enrolled",
        kind=Kind.RATE, direction=Direction.LOWER, grades="K-12", needs=("enrollments",),
        needs_columns=("enrollments.days_enrolled", "enrollments.days_absent"),
    ),
    Indicator(
        id="suspension_rate", name="Suspension rate",
        description="Share of all students enrolled during the year (cumulative enrollment) who "
        "were suspended, in or out of school, for an aggregate of at least one full day; each "
        "student counted once, partial days added up.",
        citation="CDE Dashboard Suspension Rate Indicator (cde.ca.gov/ta/ac/cm/dbsuspfaq.asp); "
        "METHODS.md 1.4",
        universe="TRUE", outcome="suspension_days >= 1",
        kind=Kind.RATE, direction=Direction.LOWER, grades="TK-12", needs=("discipline",),
        caveats="0.5 + 0.3 + 0.1 = 0.9 days is not counted; 0.5 + 0.5 is. Suspensions are "
        "counted at the school where the incident was recorded.",
    ),
    _academic("ELA", Kind.MEAN),
    _academic("MATH", Kind.MEAN),
    _academic("ELA", Kind.RATE),
    _academic("MATH", Kind.RATE),
    Indicator(
        id="grade3_reading_met", name="Grade 3 reading: met or exceeded standard",
        description="Share of tested third graders at Level 3 or 4 on the Smarter Balanced "
        "English language arts test.",
        citation=f"CAASPP achievement levels; {SBAC}",
        universe="ela_included AND ela_tested_grade = 3", outcome="ela_level >= 3",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="3", needs=("assessments",),
        el_group="academic", caveats=ACADEMIC_CAVEATS,
        universe_within=("ela_met",),
    ),
    Indicator(
        id="grade8_core_c_or_better", name="Grade 8: C or better in English and math",
        description="Share of eighth graders with English and math course marks whose every "
        f"English and math mark of the year is C or better ({C_OR_BETTER}; withdrawals "
        "ignored).",
        citation="District pipeline goal; mark scale of the data contract",
        universe="grade = 8 AND ela_marks > 0 AND math_marks > 0",
        outcome="ela_marks_c_or_better AND math_marks_c_or_better",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="8", needs=("course_marks",),
    ),
    Indicator(
        id="ninth_grade_on_track", name="Ninth grade on track",
        description="Share of ninth graders with course marks who earned at least five "
        "full-year courses' worth of credit and no more than one semester F (or NP) in a "
        "core course (English, math, science, social studies).",
        citation="Chicago freshman on-track (Allensworth & Easton 2005, UChicago Consortium); "
        "METHODS.md 5",
        universe="grade = 9 AND course_marks > 0",
        outcome="credits_earned >= 5 * {units_per_year_course} AND core_semester_fs <= 1",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="9", needs=("course_marks",),
        caveats="Credits are converted with the configured units per year-long course "
        "(default 10, California's 5 units a semester). A full-year F counts as two semester "
        "Fs; a trimester or quarter F counts as one.",
    ),
    Indicator(
        id="ag_on_track", name="a-g on track",
        description="Share of high school students whose a-g courses passed with C or better "
        "so far keep pace with the 15 year-long-course sequence: at least 7.5 semesters per "
        "year of high school completed (8 after grade 9, 15 after grade 10, 23 after grade 11, "
        "30 after grade 12).",
        citation="UC/CSU a-g subject requirements (15 year-long courses, C or better); "
        "METHODS.md 5",
        universe="grade BETWEEN 9 AND 12 AND ag_history_complete",
        outcome="ag_semesters_cumulative >= {ag_pace_semesters_per_year} * (grade - 8)",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="9-12", needs=("course_marks",),
        caveats="Counts semesters, not the distribution across subject areas a-g. Only "
        "students whose every high school year is in the warehouse are counted.",
    ),
    Indicator(
        id="graduation_rate", name="Four-year graduation rate",
        description="Share of the four-year cohort who graduated with a regular diploma in four "
        "years.",
        citation="Adjusted cohort graduation rate, 34 CFR 200.19; CDE "
        "(cde.ca.gov/ta/ac/cm/gradratecal.asp)",
        universe="in_cohort", outcome="outcome = 'GRAD'",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="9-12",
        needs=("graduation_cohorts",), source=Source.COHORT,
        caveats="The accountable school is the cohort row's school. High school equivalency "
        "and certificates of completion do not count as graduation.",
    ),
    Indicator(
        id="graduation_rate_combined", name="Graduation rate (four- and five-year)",
        description="Dashboard graduation rate: students who graduated with a regular diploma "
        "in four years, plus fifth-year graduates of the previous cohort, divided by the "
        "cohort plus those fifth-year graduates.",
        citation="CDE Dashboard Graduation Rate Indicator, 2019 onward "
        "(cde.ca.gov/ta/ac/cm/gradratecal.asp); METHODS.md 1.5",
        universe="in_cohort OR fifth_year_grad",
        outcome="(in_cohort AND outcome = 'GRAD') OR fifth_year_grad",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="9-12",
        needs=("graduation_cohorts",), source=Source.COHORT,
        adds_prior_year_of="graduation_rate",
    ),
    Indicator(
        id="ag_completion", name="a-g completion among graduates",
        description="Share of four-year graduates who completed the UC/CSU a-g sequence.",
        citation="UC/CSU a-g subject requirements; CDE DataQuest a-g completion",
        universe="in_cohort AND outcome = 'GRAD'", outcome="ag_complete",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="12",
        needs=("graduation_cohorts",), source=Source.COHORT,
        needs_columns=("graduation_cohorts.ag_complete",),
        universe_is_numerator_of="graduation_rate",
    ),
    Indicator(
        id="college_eligible", name="College and career prepared among graduates",
        description="Share of four-year graduates who were 'Prepared' on the College/Career "
        "Indicator (a-g plus one more measure, Level 3 on both tests, AP, college credit, "
        "Seal of Biliteracy, or a CTE pathway).",
        citation="CDE College/Career Indicator (cde.ca.gov/ta/ac/cm/ccical.asp); METHODS.md 1.5",
        universe="in_cohort AND outcome = 'GRAD'", outcome="cci_prepared",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="12",
        needs=("graduation_cohorts",), source=Source.COHORT,
        needs_columns=("graduation_cohorts.cci_prepared",),
        caveats="Uses the district's cci_prepared flag as given; gapwatch does not recompute "
        "the CCI measures.",
        universe_is_numerator_of="graduation_rate",
    ),
    Indicator(
        id="cci_prepared", name="College/Career Indicator: prepared",
        description="Share of the four-year cohort who graduated and were 'Prepared' on the "
        "College/Career Indicator (the Dashboard's denominator is the whole cohort).",
        citation="CDE College/Career Indicator (cde.ca.gov/ta/ac/cm/ccical.asp)",
        universe="in_cohort", outcome="outcome = 'GRAD' AND coalesce(cci_prepared, FALSE)",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="12",
        needs=("graduation_cohorts",), source=Source.COHORT,
        needs_columns=("graduation_cohorts.cci_prepared",),
        numerator_of="college_eligible",
    ),
    Indicator(
        id="seal_of_biliteracy", name="State Seal of Biliteracy among graduates",
        description="Share of four-year graduates who earned the State Seal of Biliteracy.",
        citation="California Education Code 51460; CDE Seal of Biliteracy",
        universe="in_cohort AND outcome = 'GRAD'", outcome="seal_of_biliteracy",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="12",
        needs=("graduation_cohorts",), source=Source.COHORT,
        needs_columns=("graduation_cohorts.seal_of_biliteracy",),
        universe_is_numerator_of="graduation_rate",
    ),
    *(Indicator(
        id=f"biliteracy_pathway_grade{g}",
        name=f"Pathway to Biliteracy award in grade {g}",
        description=f"Share of grade {g} students who earned a Pathway to Biliteracy award that "
        "year (the district's recognitions on the way to the State Seal of Biliteracy, which "
        "graduates earn in grade 12).",
        citation="District pipeline goal (seals by grades 5, 8 or 12); California Education "
        "Code 51460 (State Seal of Biliteracy)",
        universe=f"grade = {g}", outcome="biliteracy_pathway",
        kind=Kind.RATE, direction=Direction.HIGHER, grades=str(g), needs=("enrollments",),
        needs_columns=("enrollments.biliteracy_pathway",),
        caveats="Pathway awards are local: each district sets its own criteria. A student "
        "whose award is not recorded (empty) is left out.",
    ) for g in (5, 8)),
    Indicator(
        id="el_reclassified_by_grade6",
        name="English learners reclassified by the end of grade 6",
        description="Share of sixth graders who are or were English learners and entered US "
        "schools in transitional kindergarten, kindergarten or grade 1, who had been "
        "reclassified fluent English proficient by the end of grade 6.",
        citation="District pipeline goal; reclassification per California EC 313(f)",
        universe="grade = 6 AND el_status IN ('EL', 'RFEP') "
        "AND us_entry_school_year BETWEEN school_year - 7 AND school_year - 5",
        outcome="reclassified_by_year_end",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="6", needs=("enrollments",),
        defining_groups=("EL", "RFEP", "LTEL", "EO"),
        needs_columns=("students.us_school_entry_date",),
        caveats="Entry grade is inferred from the school year of first US enrollment, assuming "
        "normal grade progression.",
    ),
    Indicator(
        id="el_progress", name="English Learner Progress (ELPI)",
        description="Share of English learners in grades 1-12 with this year's and last "
        "year's summative ELPAC who rose at least one ELPI level (1, 2L, 2H, 3L, 3H, 4) or "
        "stayed at level 4. Students reclassified after taking this year's test count; the "
        "Summative Alternate ELPAC counts from the 2023 Dashboard.",
        citation="CDE English Learner Progress Indicator (cde.ca.gov/ta/ac/cm/elpiratecal.asp; "
        "ELPI FAQ); METHODS.md 1.5 and 6.3",
        universe="elpi_el AND grade BETWEEN 1 AND 12 AND elpi_pair",
        outcome="elpi_level > elpi_prior_level "
        "OR (elpi_level = elpi_top AND elpi_prior_level = elpi_top)",
        kind=Kind.RATE, direction=Direction.HIGHER, grades="1-12", needs=("assessments",),
        el_group="elpi",
        caveats="Counted at the school where the student took this year's test. ELPAC levels "
        "2 and 3 are split into Low and High by scale score with the reference file "
        "indicators/elpi_levels/2019.toml (or the district's, `indicators.elpi_levels_file`): "
        "CDE's split scores were not found, so the shipped file splits each level at the "
        "midpoint of its scale-score range (unverified), and its ELPAC thresholds are "
        "unverified too. Alternate ELPAC students progress when its level rose or stayed at "
        "its top level, on the Alternate ELPAC both years (gapwatch's reading; CDE's placement "
        "was not found). A student on the ELPAC one year and the Alternate ELPAC the other is "
        "not counted.",
    ),
    Indicator(
        id="ltel_rate", name="Long-term English learners",
        description="Share of English learners in grades 6-12 who are in at least their sixth "
        "school year in US schools.",
        citation="California EC 313.1 (long-term English learner); DATA_MODEL.md LTEL group",
        universe="el AND grade BETWEEN 6 AND 12", outcome="ltel",
        kind=Kind.RATE, direction=Direction.LOWER, grades="6-12", needs=("enrollments",),
        defining_groups=("EL", "RFEP", "LTEL", "EO"),
        needs_columns=("students.us_school_entry_date",),
        caveats="Uses years in US schools only; the statutory definition also looks at "
        "progress on the ELPAC and at grades.",
    ),
)

# Engagement and climate indicators (issue 18), over the family_year view.
BUILTIN += family_indicators()

BUILTIN_BY_ID: dict[str, Indicator] = {i.id: i for i in BUILTIN}
