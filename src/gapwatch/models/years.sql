-- name: years
-- grain: one row per school year of the run
-- description: the school years the views cover and their dates (gapwatch.calendar); a
--   placeholder year 0 when there are none, so that the views still bind
-- columns:
--   school_year: the school year, named by its spring (2025 = 2024-25)
--   year_start: July 1 of the school year
--   year_end: June 30 of the school year
--   census_day: Census Day (the first Wednesday in October)
--   default_test_day: May 1, the test day assumed when a score has no date
SELECT school_year, year_start, year_end, census_day, default_test_day
FROM (VALUES
{%- for y in years %}
    ({{ y.school_year }}, DATE '{{ y.year_start }}', DATE '{{ y.year_end }}', DATE '{{ y.census_day }}', DATE '{{ y.default_test_day }}'){{ "," if not loop.last }}
{%- endfor %}
) AS v(school_year, year_start, year_end, census_day, default_test_day)
