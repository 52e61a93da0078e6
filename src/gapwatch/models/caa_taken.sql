-- name: caa_taken
-- grain: one row per school year and student with a CAA score in ELA or math
-- description: a CAA score in ELA or math that year (the participation rule counts it as
--   tested)
-- columns:
--   caa_year: the school year
--   caa_student: the student
--   caa_ela: took the CAA in ELA
--   caa_math: took the CAA in math
SELECT school_year AS caa_year, student_id AS caa_student,
       bool_or(subject = 'ELA') AS caa_ela, bool_or(subject = 'MATH') AS caa_math
FROM t_assessments WHERE test = 'CAA' AND subject IN ('ELA', 'MATH')
GROUP BY school_year, student_id
