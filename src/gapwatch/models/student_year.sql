-- name: student_year
-- grain: one row per school year, entity (district, board district, school) and student
--   enrolled there that year
-- description: the student-year view every indicator of a student's year reads; a student
--   enrolled at two schools in a year has a row at each school and one row at the district,
--   where days and incidents of both schools are added up (columns: docs/indicators.md)
-- columns:
--   school_year: school year (spring year)
--   entity_type: district, board_district or school
--   entity_id: district, board district or school identifier
--   student_id: student identifier
--   grade: grade (-1 TK, 0 K, 1-12; NULL ungraded) of the latest enrollment
--   race_ethnicity: race/ethnicity code
--   gender: gender code
--   el_status: English language status of the latest enrollment
--   el: current English learner
--   el_academic: English learner, or RFEP reclassified within the past four years
--   ltel: English learner in at least the sixth school year since first enrolling in a US school
--   sed: socioeconomically disadvantaged (any enrollment of the year at the entity)
--   frpm: free or reduced-price meals (any enrollment of the year at the entity)
--   swd: a student with disabilities (any enrollment of the year at the entity)
--   foster: in foster care (any enrollment of the year at the entity)
--   homeless: homeless (any enrollment of the year at the entity)
--   migrant: a migrant student (any enrollment of the year at the entity)
--   dual_language: in a dual-language program (any enrollment of the year at the entity)
--   biliteracy_pathway: a Pathway to Biliteracy award this year (NULL when never recorded)
--   us_school_entry_date: first enrollment in a US school
--   reclassification_date: date reclassified fluent English proficient
--   us_entry_school_year: school year of first US enrollment
--   reclassified_by_year_end: reclassified by June 30 of the year (or RFEP)
--   enrollments: enrollment rows at the entity this year
--   days_enrolled: instructional days enrolled at the entity (NULL if any is unknown)
--   days_absent: days absent at the entity (NULL if any is unknown)
--   days_attended: days enrolled minus days absent
--   first_entry: first entry date at the entity
--   last_day: last day enrolled at the entity
--   suspension_days: days of in- and out-of-school suspension at the entity (exact decimal)
--   suspensions: in- and out-of-school suspensions at the entity
--   out_of_school_suspensions: out-of-school suspensions at the entity
--   incidents: incidents at the entity
--   ela_dfs: ELA scale score minus the Level 3 threshold for the tested grade
--   ela_level: ELA achievement level 1-4 (given, or from the thresholds)
--   ela_tested_grade: grade when tested in ELA
--   ela_test_date: date of the ELA test
--   math_dfs: math scale score minus the Level 3 threshold for the tested grade
--   math_level: math achievement level 1-4 (given, or from the thresholds)
--   math_tested_grade: grade when tested in math
--   math_test_date: date of the math test
--   ela_included: counts for the Academic Indicator in ELA
--   math_included: counts for the Academic Indicator in math
--   elpac_level: summative ELPAC level this year, at the entity where the student took it
--   elpac_prior_level: last year's summative ELPAC level (wherever taken)
--   elpi_level: ELPI level this year (at the entity where tested)
--   elpi_prior_level: ELPI level last year
--   elpac_test: ELPAC or ALT_ELPAC: which summative test this year
--   elpac_prior_test: ELPAC or ALT_ELPAC: which summative test last year
--   elpac_test_date: date of this year's summative ELPAC (or Alternate ELPAC)
--   elpi_el: counts as an English learner for ELPI (current EL, or reclassified after the test)
--   elpi_pair: this year's and last year's ELPI levels exist, on the same test, which counts
--   elpi_top: the top level of the year's test (6 = ELPI level 4; the Alternate ELPAC's top)
--   course_marks: marks this year at the entity
--   ela_marks: English marks this year at the entity (not withdrawals)
--   math_marks: math marks this year at the entity (not withdrawals)
--   ela_marks_c_or_better: every English mark C or better
--   math_marks_c_or_better: every math mark C or better
--   credits_earned: credits earned this year at the entity
--   core_semester_fs: semester Fs in English, math, science, social studies
--   ag_semesters_cumulative: a-g semesters passed with C or better, all years so far
--   ag_history_complete: the marks cover the student's whole high-school history so far
--   ela_expected: expected to test in ELA (participation rate)
--   ela_tested: expected and tested in ELA (Smarter Balanced or CAA)
--   ela_loss_dfs: ELA's lowest obtainable scale score minus the Level 3 threshold
--   math_expected: expected to test in math (participation rate)
--   math_tested: expected and tested in math (Smarter Balanced or CAA)
--   math_loss_dfs: math's lowest obtainable scale score minus the Level 3 threshold
WITH student_year_scored AS (
    SELECT r.*, y.year_start, y.year_end, y.census_day, y.default_test_day,
           {{ sbac_scored('ela') }},
           {{ sbac_scored('math') }}
    FROM entity_rows r
    JOIN years y ON y.school_year = r.school_year
)
SELECT school_year, entity_type, entity_id, student_id,
       grade, race_ethnicity, gender, el_status,
       {{ el_flags("el_status", "school_year") }},
       sed, frpm, swd, foster, homeless, migrant, dual_language, biliteracy_pathway,
       us_school_entry_date, reclassification_date,
       {{ school_year_of("us_school_entry_date") }}
           AS us_entry_school_year,
       coalesce(reclassification_date <= year_end OR el_status = 'RFEP', FALSE)
           AS reclassified_by_year_end,
       enrollments, days_enrolled, days_absent, days_enrolled - days_absent AS days_attended,
       first_entry, last_day,
       coalesce(suspension_days, CAST(0 AS DECIMAL(9, 3))) AS suspension_days,
       coalesce(suspensions, 0) AS suspensions,
       coalesce(out_of_school_suspensions, 0) AS out_of_school_suspensions,
       coalesce(incidents, 0) AS incidents,
       ela_dfs, ela_level, ela_tested_grade, ela_test_date,
       math_dfs, math_level, math_tested_grade, math_test_date,
       {{ academic_included('ela') }},
       {{ academic_included('math') }},
       elpac_level, elpac_prior_level,
       elpi_level, elpi_prior_level, elpac_test, elpac_prior_test, elpac_test_date,
       -- ELPI (indicators.elpi): reclassified after this year's test still counts
       coalesce(el_status = 'EL', FALSE)
           OR coalesce(reclassification_date > coalesce(elpac_test_date,
                                                        year_start - INTERVAL 1 DAY),
                       el_status = 'RFEP', FALSE) AS elpi_el,
       coalesce(elpi_level IS NOT NULL AND elpi_prior_level IS NOT NULL
                AND elpac_test = elpac_prior_test
                AND (elpac_test = 'ELPAC' OR school_year >= {{ elpi.alternate_from }}),
                FALSE) AS elpi_pair,
       CASE elpac_test WHEN 'ELPAC' THEN 6
            WHEN 'ALT_ELPAC' THEN {{ elpi.alternate_top_level }} END AS elpi_top,
       coalesce(course_marks, 0) AS course_marks,
       coalesce(ela_marks, 0) AS ela_marks, coalesce(math_marks, 0) AS math_marks,
       coalesce(ela_marks, 0) > 0 AND coalesce(ela_below_c, 0) = 0
           AS ela_marks_c_or_better,
       coalesce(math_marks, 0) > 0 AND coalesce(math_below_c, 0) = 0
           AS math_marks_c_or_better,
       coalesce(credits_earned, CAST(0 AS DECIMAL(9, 2))) AS credits_earned,
       coalesce(core_semester_fs, 0) AS core_semester_fs,
       coalesce(ag_semesters_cumulative, 0) AS ag_semesters_cumulative,
       coalesce(ag_history_complete, FALSE) AS ag_history_complete,
       {{ participation_columns('ela') }},
       {{ participation_columns('math') }}
FROM student_year_scored
LEFT JOIN caa_taken ON caa_year = school_year AND caa_student = student_id
