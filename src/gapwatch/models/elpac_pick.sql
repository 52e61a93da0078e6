-- name: elpac_pick
-- grain: one row per school year and student with a summative ELPAC or Alternate ELPAC
-- description: each student's summative ELPAC or Alternate ELPAC of the year (the latest;
--   ties: the higher score, then the higher school id), with its ELPI level from the ELPI
--   reference file (indicators.elpi)
-- columns:
--   school_year: the school year
--   school_id: the school where the test was taken
--   student_id: the student
--   elpac_test: ELPAC or ALT_ELPAC
--   elpac_test_date: the test date
--   elpac_level: the ELPAC level (1-4; NULL for the Alternate ELPAC)
--   elpi_level: the ELPI level code 1-6 (ELPAC), or the Alternate ELPAC's own level
SELECT school_year, school_id, student_id, test AS elpac_test,
       test_date AS elpac_test_date,
       CASE WHEN test = 'ELPAC' THEN performance_level END AS elpac_level,
       CASE WHEN test = 'ELPAC' THEN {{ elpi.level_sql("grade", "scale_score", "performance_level") }}
            ELSE performance_level END AS elpi_level
FROM (
    SELECT a.school_year, a.school_id, a.student_id, a.test, a.grade, a.scale_score,
           a.performance_level, a.test_date,
           row_number() OVER (
               PARTITION BY a.school_year, a.student_id
               ORDER BY a.test_date DESC NULLS LAST, a.scale_score DESC,
                        a.school_id DESC) AS pick
    FROM t_assessments a
    WHERE a.test IN ('ELPAC', 'ALT_ELPAC') AND a.subject = 'ELP'
      AND coalesce(a.administration, 'SUMMATIVE') = 'SUMMATIVE'
) WHERE pick = 1
