-- name: hs_history
-- grain: one row per student and school year from the student's first high-school year
-- description: whether the course marks cover the student's whole high-school history so far:
--   high school began in grade 9, no earlier than the first year with course marks, and the
--   student was enrolled every year since
-- columns:
--   student_id: the student
--   school_year: the school year
--   ag_history_complete: the marks cover every high-school year up to this one
WITH marks_first AS (SELECT min(school_year) AS first_year FROM t_course_marks),
hs_start AS (
    SELECT student_id, min(school_year) AS first_hs_year,
           arg_min(latest.grade, school_year) AS first_hs_grade
    FROM student_status WHERE latest.grade >= 9 GROUP BY student_id
)
SELECT g.student_id, g.school_year,
       h.first_hs_grade = 9 AND h.first_hs_year >= f.first_year
       AND count(*) OVER (PARTITION BY g.student_id ORDER BY g.school_year
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
           = g.school_year - h.first_hs_year + 1 AS ag_history_complete
FROM student_status g
JOIN hs_start h ON h.student_id = g.student_id
CROSS JOIN marks_first f
WHERE g.school_year >= h.first_hs_year
