{#- The school year of a date: the year of its spring (2024-08-19 and 2025-06-30 are in 2025). -#}
{% macro school_year_of(day) -%}
year({{ day }}) + CASE WHEN month({{ day }}) >= 7 THEN 1 ELSE 0 END
{%- endmacro %}
