-- name: entity_rows
-- grain: one row per school year, entity and student enrolled there that year
-- description: the school rows where the student was enrolled; above a school (board district,
--   district) a student's rows are added up (transfers, facts at other schools) or, for the
--   many with one row that year, relabeled
-- columns:
--   school_year: the school year
--   entity_type: school, board_district or district
--   entity_id: the school's id, the board district's number or the district's id
--   student_id: the student
--   enrollments: the student's enrollments at the entity that year
--   days_enrolled: days enrolled at the entity (NULL when an enrollment lacks them)
--   days_absent: days absent at the entity (NULL when an enrollment lacks them)
--   first_entry: first entry date at the entity
--   last_day: last day enrolled at the entity
--   sed: socioeconomically disadvantaged in any enrollment at the entity
--   frpm: free or reduced-price meals in any enrollment at the entity
--   swd: a student with disabilities in any enrollment at the entity
--   foster: in foster care in any enrollment at the entity
--   homeless: homeless in any enrollment at the entity
--   migrant: a migrant student in any enrollment at the entity
--   dual_language: in a dual-language program in any enrollment at the entity
--   biliteracy_pathway: on a pathway to the Seal of Biliteracy in any enrollment at the entity
--   grade: grade of the latest enrollment (entry date, then school id)
--   el_status: EL status of the latest enrollment
--   suspension_days: days suspended at the entity's schools
--   suspensions: suspensions at the entity's schools
--   out_of_school_suspensions: out-of-school suspensions at the entity's schools
--   incidents: incidents at the entity's schools
--   ela_grade: tested grade of the latest ELA score (coded)
--   ela_score: the latest ELA scale score
--   ela_plevel: ELA achievement level given with it (coded)
--   ela_date: its test date (coded)
--   math_grade: tested grade of the latest math score (coded)
--   math_score: the latest math scale score
--   math_plevel: math achievement level given with it (coded)
--   math_date: its test date (coded)
--   elpac_level: ELPAC level of the year's test taken at the entity
--   elpi_level: ELPI level of the year's test taken at the entity
--   elpac_test: ELPAC or ALT_ELPAC, taken at the entity
--   elpac_test_date: the date of that test
--   course_marks: course marks at the entity's schools
--   ela_marks: English marks at the entity's schools
--   math_marks: math marks at the entity's schools
--   ela_below_c: English marks below C at the entity's schools
--   math_below_c: math marks below C at the entity's schools
--   credits_earned: credits earned at the entity's schools
--   core_semester_fs: semester Fs in core courses at the entity's schools
--   race_ethnicity: the student's race/ethnicity
--   gender: the student's gender
--   us_school_entry_date: the student's first day in a US school
--   reclassification_date: the day the student was reclassified fluent English proficient
--   elpac_prior_level: ELPAC level of the previous year's test
--   elpi_prior_level: ELPI level of the previous year's test
--   elpac_prior_test: ELPAC or ALT_ELPAC, the previous year
--   ag_semesters_cumulative: a-g semesters passed so far
--   ag_history_complete: the marks cover every high-school year so far
{#- Facts of the student and year (not of a school), carried from school rows upward. -#}
{%- set student_facts = ["race_ethnicity", "gender", "us_school_entry_date",
    "reclassification_date", "elpac_prior_level", "elpi_prior_level", "elpac_prior_test",
    "ag_semesters_cumulative", "ag_history_complete"] %}
SELECT school_year, 'school' AS entity_type, school_id AS entity_id, student_id,
       1 AS enrollments, d_enrolled AS days_enrolled, d_absent AS days_absent,
       entry_date AS first_entry, last_day,
       coalesce(sed, FALSE) AS sed, coalesce(frpm, FALSE) AS frpm,
       coalesce(swd, FALSE) AS swd, coalesce(foster, FALSE) AS foster,
       coalesce(homeless, FALSE) AS homeless, coalesce(migrant, FALSE) AS migrant,
       coalesce(dual_language, FALSE) AS dual_language, biliteracy_pathway,
       grade, el_status,
       suspension_days, suspensions, out_of_school_suspensions, incidents,
       ela_grade, ela_score, ela_plevel, ela_date,
       math_grade, math_score, math_plevel, math_date, elpac_level,
       elpi_level, elpac_test, elpac_test_date,
       course_marks, ela_marks, math_marks, ela_below_c, math_below_c, credits_earned,
       core_semester_fs, {{ student_facts | join(", ") }}
FROM school_rows WHERE enrolled
UNION ALL
-- a student with one row in the district that year: the row, relabeled upward
SELECT r.school_year, x.entity_type, x.entity_id, r.student_id,
       1, r.d_enrolled, r.d_absent, r.entry_date, r.last_day,
       coalesce(r.sed, FALSE), coalesce(r.frpm, FALSE), coalesce(r.swd, FALSE),
       coalesce(r.foster, FALSE), coalesce(r.homeless, FALSE), coalesce(r.migrant, FALSE),
       coalesce(r.dual_language, FALSE), r.biliteracy_pathway,
       r.grade, r.el_status,
       r.suspension_days, r.suspensions, r.out_of_school_suspensions, r.incidents,
       r.ela_grade, r.ela_score, r.ela_plevel, r.ela_date,
       r.math_grade, r.math_score, r.math_plevel, r.math_date, r.elpac_level,
       r.elpi_level, r.elpac_test, r.elpac_test_date, r.course_marks, r.ela_marks,
       r.math_marks, r.ela_below_c, r.math_below_c,
       r.credits_earned, r.core_semester_fs,
       {% for c in student_facts %}r.{{ c }}{{ ", " if not loop.last }}{% endfor %}
FROM school_rows r
JOIN school_entities x ON x.school_id = r.school_id AND x.entity_type <> 'school'
WHERE r.enrolled AND r.rows_in_year = 1
UNION ALL
-- a student with several rows that year: the rows added up at each entity above a school
SELECT school_year, entity_type, entity_id, student_id, enrollments, days_enrolled,
       days_absent, first_entry, last_day, sed, frpm, swd, foster, homeless, migrant,
       dual_language, biliteracy_pathway,
       NULLIF(grade, -99), NULLIF(el_status, ''),
       suspension_days, suspensions, out_of_school_suspensions, incidents,
       ela_grade, ela_score, ela_plevel, ela_date,
       math_grade, math_score, math_plevel, math_date, elpac_level,
       elpi_level, elpac_test, elpac_test_date,
       course_marks, ela_marks, math_marks, ela_below_c, math_below_c, credits_earned,
       core_semester_fs, {{ student_facts | join(", ") }}
FROM (
    SELECT r.school_year, x.entity_type, x.entity_id, r.student_id,
           count(*) FILTER (WHERE r.enrolled) AS enrollments,
           CASE WHEN count(r.d_enrolled) = count(*) FILTER (WHERE r.enrolled)
                THEN sum(r.d_enrolled) END AS days_enrolled,
           CASE WHEN count(r.d_absent) = count(*) FILTER (WHERE r.enrolled)
                THEN sum(r.d_absent) END AS days_absent,
           min(r.entry_date) AS first_entry, max(r.last_day) AS last_day,
           bool_or(coalesce(r.sed, FALSE)) AS sed, bool_or(coalesce(r.frpm, FALSE)) AS frpm,
           bool_or(coalesce(r.swd, FALSE)) AS swd,
           bool_or(coalesce(r.foster, FALSE)) AS foster,
           bool_or(coalesce(r.homeless, FALSE)) AS homeless,
           bool_or(coalesce(r.migrant, FALSE)) AS migrant,
           bool_or(coalesce(r.dual_language, FALSE)) AS dual_language,
           bool_or(r.biliteracy_pathway) AS biliteracy_pathway,
           -- the latest enrollment (by entry date, then school id): grade and EL status
           arg_max(coalesce(r.grade, -99), r.enr_order) FILTER (WHERE r.enrolled) AS grade,
           arg_max(coalesce(r.el_status, ''), r.enr_order) FILTER (WHERE r.enrolled)
               AS el_status,
           sum(r.suspension_days) AS suspension_days, sum(r.suspensions) AS suspensions,
           sum(r.out_of_school_suspensions) AS out_of_school_suspensions,
           sum(r.incidents) AS incidents,
           {{ latest_score('ela') }},
           {{ latest_score('math') }},
           max(r.elpac_level) AS elpac_level, max(r.elpi_level) AS elpi_level,
           max(r.elpac_test) AS elpac_test, max(r.elpac_test_date) AS elpac_test_date,
           sum(r.course_marks) AS course_marks, sum(r.ela_marks) AS ela_marks,
           sum(r.math_marks) AS math_marks, sum(r.ela_below_c) AS ela_below_c,
           sum(r.math_below_c) AS math_below_c, sum(r.credits_earned) AS credits_earned,
           sum(r.core_semester_fs) AS core_semester_fs,
           {% for c in student_facts %}any_value(r.{{ c }}) AS {{ c }}{{ ", " if not loop.last }}{% endfor %}
    FROM school_rows r
    JOIN school_entities x ON x.school_id = r.school_id AND x.entity_type <> 'school'
    WHERE r.rows_in_year > 1
    GROUP BY r.school_year, x.entity_type, x.entity_id, r.student_id
    HAVING bool_or(r.enrolled)
)
