-- name: cohort
-- grain: one row per student of a four-year graduation cohort and entity (the accountable
--   school, its board district, the district); plus, in the following year, a row for each
--   fifth-year graduate
-- description: the cohort view the graduation and college-readiness indicators read
--   (columns: docs/indicators.md)
-- columns:
--   school_year: cohort year (for fifth-year graduates, the year after)
--   entity_type: the accountable school, its board district or the district
--   entity_id: school, board district or district identifier
--   student_id: student identifier
--   race_ethnicity: race/ethnicity code
--   gender: gender code
--   grade: grade in the student's latest enrollment year up to the cohort year
--   el_status: EL status then
--   el: English learner then
--   el_academic: English learner, or RFEP reclassified within four years, then
--   elpi_el: the same as el (the ELPI column, for student groups)
--   ltel: long-term English learner then
--   sed: socioeconomically disadvantaged then
--   frpm: free or reduced-price meals then
--   swd: a student with disabilities then
--   foster: in foster care then
--   homeless: homeless then
--   migrant: a migrant student then
--   dual_language: in a dual-language program then
--   outcome: cohort outcome code
--   ag_complete: completed the a-g requirements (as given in graduation_cohorts)
--   seal_of_biliteracy: earned the State Seal of Biliteracy (as given)
--   cci_prepared: prepared on the College/Career Indicator (as given)
--   in_cohort: member of this year's four-year cohort
--   fifth_year_grad: fifth-year graduate of the previous year's cohort
--   cohort_year: the student's cohort year
WITH cohort_rows AS (
    SELECT c.cohort_year AS school_year, x.entity_type, x.entity_id, c.student_id,
           c.outcome, c.ag_complete, c.seal_of_biliteracy, c.cci_prepared,
           TRUE AS in_cohort, FALSE AS fifth_year_grad, c.cohort_year
    FROM t_graduation_cohorts c JOIN school_entities x ON x.school_id = c.school_id
    UNION ALL
    SELECT c.cohort_year + 1, x.entity_type, x.entity_id, c.student_id,
           c.outcome, c.ag_complete, c.seal_of_biliteracy, c.cci_prepared,
           FALSE, TRUE, c.cohort_year
    FROM t_graduation_cohorts c JOIN school_entities x ON x.school_id = c.school_id
    WHERE c.outcome = 'GRAD_5YR'
)
SELECT r.school_year, r.entity_type, r.entity_id, r.student_id,
       st.race_ethnicity, st.gender, cs.grade, cs.el_status,
       coalesce(cs.el, FALSE) AS el, coalesce(cs.el_academic, FALSE) AS el_academic,
       coalesce(cs.el, FALSE) AS elpi_el,
       coalesce(cs.ltel, FALSE) AS ltel, coalesce(cs.sed, FALSE) AS sed,
       coalesce(cs.frpm, FALSE) AS frpm, coalesce(cs.swd, FALSE) AS swd,
       coalesce(cs.foster, FALSE) AS foster, coalesce(cs.homeless, FALSE) AS homeless,
       coalesce(cs.migrant, FALSE) AS migrant,
       coalesce(cs.dual_language, FALSE) AS dual_language,
       r.outcome, r.ag_complete, r.seal_of_biliteracy, r.cci_prepared,
       r.in_cohort, r.fifth_year_grad, r.cohort_year
FROM cohort_rows r
JOIN t_students st ON st.student_id = r.student_id
LEFT JOIN cohort_status cs
  ON cs.student_id = r.student_id AND cs.cohort_year = r.cohort_year
