"""The columns of the two views, documented for districts writing their own indicators.

docs/indicators.md lists them (``gapwatch docs indicators``); the SQL is in
:mod:`gapwatch.indicators.views`.
"""

from __future__ import annotations

#: Columns of the student-year view, documented for districts writing their own indicators.
STUDENT_YEAR_COLUMNS: dict[str, str] = {
    "school_year": "school year (spring year)",
    "entity_type": "`district`, `board_district` or `school`",
    "entity_id": "district, board district or school identifier",
    "student_id": "student identifier",
    "grade": "grade (-1 TK, 0 K, 1-12; NULL ungraded) of the latest enrollment",
    "race_ethnicity": "race/ethnicity code",
    "gender": "gender code",
    "el_status": "English language status of the latest enrollment",
    "el": "current English learner",
    "el_academic": "English learner, or RFEP with a reclassification date after the day four "
    "years before the school year began (CDE: reclassified within the past four years)",
    "ltel": "English learner in at least the sixth school year since first enrolling in a US "
    "school (school year minus the school year of first US enrollment >= 6)",
    "sed, frpm, swd, foster, homeless, migrant, dual_language": "status flags (true if true "
    "on any enrollment of the year at the entity)",
    "biliteracy_pathway": "a Pathway to Biliteracy award this year (true if on any enrollment "
    "of the year at the entity; NULL when never recorded)",
    "us_school_entry_date": "first enrollment in a US school",
    "reclassification_date": "date reclassified fluent English proficient",
    "us_entry_school_year": "school year of first US enrollment",
    "reclassified_by_year_end": "reclassified by June 30 of the year (or RFEP)",
    "enrollments": "enrollment rows at the entity this year",
    "days_enrolled, days_absent, days_attended": "instructional days, added up over the "
    "entity's enrollments (from attendance_daily when given); NULL if any is unknown",
    "first_entry, last_day": "first entry date and last day enrolled at the entity",
    "suspension_days": "days of in- and out-of-school suspension at the entity (exact decimal)",
    "suspensions, out_of_school_suspensions, incidents": "counts of incidents",
    "ela_dfs, math_dfs": "scale score minus the Level 3 threshold for the tested grade",
    "ela_level, math_level": "achievement level 1-4 (given, or from the thresholds)",
    "ela_tested_grade, math_tested_grade": "grade when tested",
    "ela_test_date, math_test_date": "date of the picked score's test (NULL when not given)",
    "ela_expected, math_expected": "enrolled at the entity on the default test day (May 1) "
    "in grade 3-8 or 11: counted in the participation rate",
    "ela_tested, math_tested": "expected and tested: a Smarter Balanced or CAA score in the "
    "subject that year",
    "ela_loss_dfs, math_loss_dfs": "lowest obtainable scale score minus the Level 3 "
    "threshold of the student's grade (the participation rule's value for a missing test)",
    "ela_included, math_included": "counts for the Academic Indicator (grades 3-8 and 11, "
    "continuously enrolled, not an English learner in US schools under a year)",
    "elpac_level, elpac_prior_level": "summative ELPAC level this year, at the entity where "
    "the student took it, and last year's (wherever taken)",
    "elpi_level, elpi_prior_level": "ELPI level this year (at the entity where tested) and "
    "last year: for the Summative ELPAC 1-6 = 1, 2L, 2H, 3L, 3H, 4 (levels 2 and 3 split by "
    "scale score, indicators/elpi_levels); for the Summative Alternate ELPAC its level",
    "elpac_test, elpac_prior_test": "`ELPAC` or `ALT_ELPAC`: which summative test this year "
    "and last year",
    "elpac_test_date": "date of this year's summative ELPAC (or Alternate ELPAC)",
    "elpi_el": "counts as an English learner for ELPI: current EL, or reclassified after "
    "taking this year's test (after the test date; without a test date, during the school "
    "year; RFEP without a reclassification date: taken as after the test, since only English "
    "learners take the summative ELPAC)",
    "elpi_pair": "this year's and last year's ELPI levels exist, on the same test, and the "
    "test counts this year (the Alternate ELPAC from the 2023 Dashboard)",
    "elpi_top": "the top level of the year's test (6 = ELPI level 4; the Alternate ELPAC's "
    "top level)",
    "course_marks, ela_marks, math_marks": "marks this year at the entity",
    "ela_marks_c_or_better, math_marks_c_or_better": "every English / math mark C or better",
    "credits_earned": "credits earned this year at the entity",
    "core_semester_fs": "semester Fs in English, math, science, social studies",
    "ag_semesters_cumulative": "a-g semesters passed with C or better, all years so far",
    "ag_history_complete": "the student's first high school year in the warehouse was grade 9, "
    "inside the years with course marks, and every year since is in the warehouse",
}

COHORT_COLUMNS: dict[str, str] = {
    "school_year": "cohort year (for fifth-year graduates, the year after)",
    "entity_type, entity_id": "the accountable school, its board district, the district",
    "student_id": "student identifier",
    "race_ethnicity, gender, grade, el_status, el, el_academic, ltel, sed, frpm, swd, foster, "
    "homeless, migrant, dual_language": "status from the student's latest enrollment year up "
    "to the cohort year",
    "elpi_el": "the same as `el` (the ELPI column, for student groups)",
    "outcome": "cohort outcome code",
    "ag_complete, seal_of_biliteracy, cci_prepared": "as given in graduation_cohorts",
    "in_cohort": "member of this year's four-year cohort",
    "fifth_year_grad": "fifth-year graduate of the previous year's cohort",
    "cohort_year": "the student's cohort year",
}
