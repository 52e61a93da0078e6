{#- Smarter Balanced scores: the thresholds (gapwatch.reference), a student's picked score at a
    school, the latest score above a school, and its DFS and achievement level.
    ``s`` is the column prefix (ela, math). Empty grades, levels and dates are coded
    (-99, 1900-01-01) so that arg_max never meets a NULL. -#}
{% set no_grade = -99 %}
{% set no_date = "DATE '1900-01-01'" %}

{#- The lowest scale score of ``level`` (2-4) in ``subject`` at ``grade`` (NULL if none). -#}
{% macro sbac_cut(subject, level, grade) -%}
CASE {{ grade }}
{%- for (subj, g), cuts in sbac_thresholds.items() if subj == subject %} WHEN {{ g }} THEN {{ cuts[level - 2] }}{% endfor %} END
{%- endmacro %}

{#- The picked score of ``subject`` as columns of one school row (coded, never NULL). -#}
{% macro sbac_school_columns(subject) -%}
{%- set s = subject | lower -%}
{%- set when = "CASE WHEN subject = '" ~ subject ~ "' THEN" -%}
max({{ when }} sbac_order END) AS {{ s }}_order,
           max({{ when }} coalesce(grade, {{ no_grade }}) END) AS {{ s }}_grade,
           max({{ when }} scale_score END) AS {{ s }}_score,
           max({{ when }} coalesce(performance_level, {{ no_grade }}) END) AS {{ s }}_plevel,
           max({{ when }} coalesce(test_date, {{ no_date }}) END) AS {{ s }}_date
{%- endmacro %}

{#- Above a school: the score of the school row with the latest test (highest order). -#}
{% macro latest_score(s) -%}
{%- for part in ("grade", "score", "plevel", "date") -%}
arg_max(r.{{ s }}_{{ part }}, r.{{ s }}_order) AS {{ s }}_{{ part }}
{%- if not loop.last %},
               {% endif %}
{%- endfor %}
{%- endmacro %}

{#- DFS, achievement level, tested grade and test date of the picked score in ``s``. -#}
{% macro sbac_scored(s) -%}
{%- set grade = "NULLIF(r." ~ s ~ "_grade, " ~ no_grade ~ ")" -%}
{%- set score = "r." ~ s ~ "_score" -%}
{%- set l2 = sbac_cut(s | upper, 2, grade) -%}
{%- set l3 = sbac_cut(s | upper, 3, grade) -%}
{%- set l4 = sbac_cut(s | upper, 4, grade) -%}
{{ score }} - ({{ l3 }}) AS {{ s }}_dfs,
           CASE WHEN ({{ l3 }}) IS NOT NULL THEN coalesce(NULLIF(r.{{ s }}_plevel, {{ no_grade }}),
               CASE WHEN {{ score }} >= ({{ l4 }}) THEN 4 WHEN {{ score }} >= ({{ l3 }}) THEN 3
                    WHEN {{ score }} >= ({{ l2 }}) THEN 2 ELSE 1 END) END AS {{ s }}_level,
           {{ grade }} AS {{ s }}_tested_grade, NULLIF(r.{{ s }}_date, {{ no_date }}) AS {{ s }}_test_date
{%- endmacro %}

{#- Counts for the Academic Indicator in ``s``: tested in grades 3-8 or 11, enrolled at the
    entity from census day to the test, not an EL new to US schools. -#}
{% macro academic_included(s) -%}
{%- set test_day = "coalesce(" ~ s ~ "_test_date, default_test_day)" -%}
coalesce({{ s }}_dfs IS NOT NULL
               AND ({{ s }}_tested_grade BETWEEN 3 AND 8 OR {{ s }}_tested_grade = 11)
               AND first_entry <= census_day
               AND last_day >= {{ test_day }}
               AND NOT coalesce(el_status = 'EL'
                   AND us_school_entry_date > {{ test_day }} - INTERVAL 1 YEAR, FALSE),
               FALSE) AS {{ s }}_included
{%- endmacro %}
