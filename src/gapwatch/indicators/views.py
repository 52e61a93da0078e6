"""The two documented views every indicator reads, rendered from the model files.

``student_year``: one row per school year, entity and student. Entities are the district, each
board district and each school (``entity_type`` ``district``, ``board_district``, ``school``).
A student enrolled at two schools in a year (a mid-year transfer) has a row at each school and
one row at the district, where days and incidents of both schools are added up.

``cohort``: one row per student of a four-year graduation cohort and entity (the accountable
school, its board district, the district), ``school_year`` = the cohort year; plus, in the
following year, a row for each fifth-year graduate (``fifth_year_grad``).

Both are tables of the model graph (``src/gapwatch/models/``: ``student_year.sql``,
``cohort.sql`` and the models they read). The SQL is written in DuckDB's dialect and translated
to Spark SQL by SQLGlot, so every indicator has one definition on both engines. Columns are
documented in docs/indicators.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gapwatch.indicators.elpi import ElpiReference, load_reference
from gapwatch.models import empty_table, sources, with_clause
from gapwatch.models.context import C_OR_BETTER, CORE_AREAS, FAILING, parameters
from gapwatch.models.render import source_step

__all__ = ["C_OR_BETTER", "CORE_AREAS", "FAILING", "ViewOptions", "cohort_ctes", "empty_table",
           "student_year_ctes", "table_ctes", "views_sql"]


@dataclass(frozen=True)
class ViewOptions:
    """Settings the views depend on (from the config file)."""

    years: tuple[int, ...]
    #: ELPAC thresholds, ELPI split scores and the Alternate ELPAC rule (indicators.elpi)
    elpi: ElpiReference = field(default_factory=load_reference)

    def parameters(self) -> dict[str, Any]:
        """The model files' parameters."""
        return parameters(self.years, self.elpi)


def table_ctes(present: set[str]) -> list[str]:
    """A CTE per contract table the views read: the table itself, or an empty stand-in."""
    return [source_step(name, present) for name in sources()]


def student_year_ctes(present: set[str], options: ViewOptions) -> str:
    """``WITH ...`` ending with the CTE ``student_year``."""
    return with_clause(["student_year"], present, options.parameters())


def cohort_ctes(present: set[str], options: ViewOptions) -> str:
    """``WITH ...`` ending with the CTE ``cohort``."""
    return with_clause(["cohort"], present, options.parameters())


def views_sql(present: set[str], options: ViewOptions) -> str:
    """``WITH ...`` defining both views in one statement (to check district SQL against)."""
    return with_clause(["student_year", "cohort"], present, options.parameters())
