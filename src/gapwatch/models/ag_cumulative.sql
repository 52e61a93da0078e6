-- name: ag_cumulative
-- grain: one row per student and school year enrolled or with a course mark
-- description: a-g semesters passed with C or better so far: a running sum over the
--   student's years
-- columns:
--   student_id: the student
--   school_year: the school year
--   ag_semesters_cumulative: a-g semesters passed with C or better up to this year
WITH ag_year AS (
    SELECT student_id, school_year,
           sum(CASE WHEN ag_area IS NOT NULL AND mark IN {{ c_or_better | sql_list }}
                    THEN CASE WHEN term = 'FY' THEN 2 ELSE 1 END ELSE 0 END) AS ag_semesters
    FROM t_course_marks GROUP BY student_id, school_year
)
SELECT y.student_id, y.school_year,
       sum(coalesce(a.ag_semesters, 0)) OVER (
           PARTITION BY y.student_id ORDER BY y.school_year
           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ag_semesters_cumulative
FROM (SELECT student_id, school_year FROM student_status
      UNION SELECT student_id, school_year FROM ag_year) y
LEFT JOIN ag_year a ON a.student_id = y.student_id AND a.school_year = y.school_year
