-- name: school_rows
-- grain: one row per school year, school and student with any fact there
-- description: everything known of a student at a school in a year; "enrolled" when an
--   enrollment row exists (facts at a school the student was not enrolled in count only above
--   it); the student's own facts of the year are the same on every school row
-- columns:
--   school_year: the school year
--   school_id: the school
--   student_id: the student
--   rows_in_year: the student's school rows that year
--   enrolled: an enrollment row exists at this school
--   grade: grade level of the enrollment
--   el_status: EL status of the enrollment
--   entry_date: entry date of the enrollment
--   last_day: last day of the enrollment (enr)
--   d_enrolled: days enrolled (enr)
--   d_absent: days absent (enr)
--   sed: socioeconomically disadvantaged (enrollment)
--   frpm: free or reduced-price meals (enrollment)
--   swd: a student with disabilities (enrollment)
--   foster: in foster care (enrollment)
--   homeless: homeless (enrollment)
--   migrant: a migrant student (enrollment)
--   enr_order: the enrollment's order in the student's year
--   dual_language: in a dual-language program (enrollment)
--   biliteracy_pathway: on a pathway to the Seal of Biliteracy (enrollment)
--   suspension_days: days suspended here (discipline_school)
--   suspensions: suspensions here
--   out_of_school_suspensions: out-of-school suspensions here
--   incidents: incidents here
--   ela_order: rank of the ELA score among the student's schools (sbac_school)
--   ela_grade: tested grade of the ELA score (coded)
--   ela_score: ELA scale score
--   ela_plevel: ELA achievement level given (coded)
--   ela_date: ELA test date (coded)
--   math_order: rank of the math score among the student's schools
--   math_grade: tested grade of the math score (coded)
--   math_score: math scale score
--   math_plevel: math achievement level given (coded)
--   math_date: math test date (coded)
--   elpac_level: ELPAC level of the year's test taken here (elpac_pick)
--   elpi_level: ELPI level of the year's test taken here
--   elpac_test: ELPAC or ALT_ELPAC, taken here
--   elpac_test_date: the date of that test
--   course_marks: course marks here (marks_school)
--   ela_marks: English marks here
--   math_marks: math marks here
--   ela_below_c: English marks below C here
--   math_below_c: math marks below C here
--   credits_earned: credits earned here
--   core_semester_fs: semester Fs in core courses here
--   race_ethnicity: the student's race/ethnicity
--   gender: the student's gender
--   us_school_entry_date: the student's first day in a US school
--   reclassification_date: the day the student was reclassified fluent English proficient
--   elpac_prior_level: ELPAC level of the previous year's test (any school)
--   elpi_prior_level: ELPI level of the previous year's test
--   elpac_prior_test: ELPAC or ALT_ELPAC, the previous year
--   ag_semesters_cumulative: a-g semesters passed so far (ag_cumulative)
--   ag_history_complete: the marks cover every high-school year so far (hs_history)
WITH school_keys AS (
    SELECT school_year, school_id, student_id FROM enr
    UNION SELECT school_year, school_id, student_id FROM discipline_school
    UNION SELECT school_year, school_id, student_id FROM sbac_school
    UNION SELECT school_year, school_id, student_id FROM elpac_pick
    UNION SELECT school_year, school_id, student_id FROM marks_school
)
SELECT k.school_year, k.school_id, k.student_id, k.rows_in_year,
       e.student_id IS NOT NULL AS enrolled,
       e.grade, e.el_status, e.entry_date, e.last_day, e.d_enrolled, e.d_absent,
       e.sed, e.frpm, e.swd, e.foster, e.homeless, e.migrant, e.enr_order,
       e.dual_language, e.biliteracy_pathway,
       d.suspension_days, d.suspensions, d.out_of_school_suspensions, d.incidents,
       b.ela_order, b.ela_grade, b.ela_score, b.ela_plevel, b.ela_date,
       b.math_order, b.math_grade, b.math_score, b.math_plevel, b.math_date,
       p.elpac_level, p.elpi_level, p.elpac_test, p.elpac_test_date,
       m.course_marks, m.ela_marks, m.math_marks, m.ela_below_c, m.math_below_c,
       m.credits_earned, m.core_semester_fs,
       -- the student's own facts of the year, the same on every school row
       st.race_ethnicity, st.gender, st.us_school_entry_date, st.reclassification_date,
       pr.elpac_level AS elpac_prior_level, pr.elpi_level AS elpi_prior_level,
       pr.elpac_test AS elpac_prior_test, ag.ag_semesters_cumulative,
       h.ag_history_complete
FROM (SELECT *, count(*) OVER (PARTITION BY school_year, student_id) AS rows_in_year
      FROM school_keys) k
JOIN t_students st ON st.student_id = k.student_id
LEFT JOIN enr e ON e.school_year = k.school_year AND e.school_id = k.school_id
               AND e.student_id = k.student_id
LEFT JOIN discipline_school d ON d.school_year = k.school_year
               AND d.school_id = k.school_id AND d.student_id = k.student_id
LEFT JOIN sbac_school b ON b.school_year = k.school_year AND b.school_id = k.school_id
               AND b.student_id = k.student_id
LEFT JOIN elpac_pick p ON p.school_year = k.school_year AND p.school_id = k.school_id
               AND p.student_id = k.student_id
LEFT JOIN marks_school m ON m.school_year = k.school_year AND m.school_id = k.school_id
               AND m.student_id = k.student_id
LEFT JOIN elpac_pick pr
  ON pr.student_id = k.student_id AND pr.school_year = k.school_year - 1
LEFT JOIN ag_cumulative ag
  ON ag.student_id = k.student_id AND ag.school_year = k.school_year
LEFT JOIN hs_history h ON h.student_id = k.student_id AND h.school_year = k.school_year
