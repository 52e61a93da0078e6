{%- from "macros/school_year.sql" import school_year_of -%}
{#- el, el_academic and ltel from an EL status, the student's dates and the school year.
    ``st``: prefix of the student's columns (us_school_entry_date, reclassification_date);
    ``y``: prefix of the year's year_start; empty prefixes read unqualified columns. -#}
{% macro el_flags(status, year, st="", y="") -%}
coalesce({{ status }} = 'EL', FALSE) AS el,
           coalesce({{ status }} = 'EL' OR ({{ status }} = 'RFEP'
               AND {{ st }}reclassification_date > {{ y }}year_start - INTERVAL 4 YEAR), FALSE)
               AS el_academic,
           coalesce({{ status }} = 'EL'
               AND {{ year }} - ({{ school_year_of(st ~ "us_school_entry_date") }}) >= 6, FALSE)
               AS ltel
{%- endmacro %}
