-- name: sbac_picked
-- grain: one row per school year, school, student and subject (ELA, MATH) with a score
-- description: the latest summative Smarter Balanced score per student, subject and school
--   (ties: the higher score, then the higher grade and level)
-- columns:
--   school_year: the school year
--   school_id: the school where the test was taken
--   student_id: the student
--   subject: ELA or MATH
--   grade: the tested grade
--   scale_score: the scale score
--   performance_level: the achievement level given with the score (1-4), if any
--   test_date: the test date, if given
SELECT school_year, school_id, student_id, subject, grade, scale_score, performance_level,
       test_date
FROM (
    SELECT school_year, school_id, student_id, subject, grade, scale_score,
           performance_level, test_date,
           row_number() OVER (
               PARTITION BY school_year, school_id, student_id, subject
               ORDER BY test_date DESC NULLS LAST, scale_score DESC,
                        grade DESC NULLS LAST, performance_level DESC NULLS LAST) AS pick
    FROM t_assessments
    WHERE test = 'SBAC' AND subject IN ('ELA', 'MATH')
      AND coalesce(administration, 'SUMMATIVE') = 'SUMMATIVE' AND scale_score IS NOT NULL
) WHERE pick = 1
