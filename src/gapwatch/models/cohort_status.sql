-- name: cohort_status
-- grain: one row per student and cohort year
-- description: the student's status in the latest year up to the cohort year in which they
--   were enrolled, as at the district in student_year
-- columns:
--   student_id: the student
--   cohort_year: the cohort year
--   grade: grade of the latest enrollment that year
--   el_status: EL status of the latest enrollment that year
--   el: English learner that year
--   el_academic: English learner, or RFEP reclassified within the past four years
--   ltel: long-term English learner that year
--   sed: socioeconomically disadvantaged that year
--   frpm: free or reduced-price meals that year
--   swd: a student with disabilities that year
--   foster: in foster care that year
--   homeless: homeless that year
--   migrant: a migrant student that year
--   dual_language: in a dual-language program that year
WITH district_status AS (
    -- the student's status in a year, as at the district in student_year
    SELECT s.school_year, s.student_id, s.latest.grade AS grade,
           s.latest.el_status AS el_status,
           {{ el_flags("s.latest.el_status", "s.school_year", "st.", "y.") }},
           s.sed, s.frpm, s.swd, s.foster, s.homeless, s.migrant, s.dual_language
    FROM student_status s
    JOIN years y ON y.school_year = s.school_year
    JOIN t_students st ON st.student_id = s.student_id
)
SELECT student_id, cohort_year, grade, el_status, el, el_academic, ltel,
       sed, frpm, swd, foster, homeless, migrant, dual_language
FROM (
    SELECT c.student_id, c.cohort_year, s.grade, s.el_status, s.el, s.el_academic, s.ltel,
           s.sed, s.frpm, s.swd, s.foster, s.homeless, s.migrant, s.dual_language,
           row_number() OVER (PARTITION BY c.student_id, c.cohort_year
                              ORDER BY s.school_year DESC) AS pick
    FROM (SELECT DISTINCT student_id, cohort_year FROM t_graduation_cohorts) c
    JOIN district_status s
      ON s.student_id = c.student_id AND s.school_year <= c.cohort_year
) WHERE pick = 1
