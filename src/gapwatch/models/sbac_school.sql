-- name: sbac_school
-- grain: one row per school year, school and student with a Smarter Balanced score there
-- description: the student's picked ELA and math scores at a school, coded for arg_max: empty
--   grades and levels are -99, empty dates 1900-01-01; *_order ranks the score among the
--   student's schools that year (higher = later), so the board district and district keep
--   the latest
-- columns:
--   school_year: the school year
--   school_id: the school
--   student_id: the student
--   ela_order: rank of the ELA score among the student's schools (higher = later)
--   ela_grade: tested grade of the ELA score (-99: none)
--   ela_score: ELA scale score
--   ela_plevel: ELA achievement level given with the score (-99: none)
--   ela_date: ELA test date (1900-01-01: none)
--   math_order: rank of the math score among the student's schools (higher = later)
--   math_grade: tested grade of the math score (-99: none)
--   math_score: math scale score
--   math_plevel: math achievement level given with the score (-99: none)
--   math_date: math test date (1900-01-01: none)
SELECT school_year, school_id, student_id,
       {{ sbac_school_columns('ELA') }},
       {{ sbac_school_columns('MATH') }}
FROM (
    SELECT *, row_number() OVER (
               PARTITION BY school_year, student_id, subject
               ORDER BY test_date NULLS FIRST, scale_score, grade NULLS FIRST,
                        performance_level NULLS FIRST, school_id) AS sbac_order
    FROM sbac_picked
)
GROUP BY school_year, school_id, student_id
