"""Aggregation: every indicator x student group x entity x year in one pass per view.

The engine computes only exact quantities: for a rate, ``n`` and the count of successes; for a
mean, ``n``, the sum and the sum of squares of the outcome scaled to integers (4 decimals) as
DECIMAL(38, 0). Values, standard errors and intervals are then computed once, in Python, from
those exact aggregates (:mod:`gapwatch.indicators.stats`), so DuckDB and Spark give identical
results.
"""

from __future__ import annotations

from dataclasses import dataclass

from gapwatch.groups import Group
from gapwatch.indicators.registry import Indicator, Kind, Source
from gapwatch.sql import sql_string

#: Means are summed as integers of 1/SCALE (exact in both engines).
SCALE = 10_000
ACADEMIC_PREFIX = "academic:"


@dataclass(frozen=True)
class Compiled:
    """An indicator with its settings substituted: universe and outcome ready for SQL."""

    indicator: Indicator
    universe: str
    outcome: str

    @property
    def id(self) -> str:
        return self.indicator.id


def compile_indicator(indicator: Indicator, settings: dict[str, object]) -> Compiled:
    """Fill ``{setting}`` placeholders of the universe and outcome."""
    return Compiled(indicator, indicator.universe.format(**settings),
                    indicator.outcome.format(**settings))


def group_codes(groups: list[Group], indicators: list[Compiled]) -> list[tuple[str, str]]:
    """(code, predicate) pairs, with academic twins of EL groups when an indicator needs them."""
    pairs = [(g.code, g.predicate()) for g in groups]
    if any(c.indicator.el_group == "academic" for c in indicators):
        pairs += [(ACADEMIC_PREFIX + g.code, g.predicate("academic"))
                  for g in groups if "EL" in g.parts]
    return pairs


def _scaled(expr: str) -> str:
    return f"CAST(round(CAST(({expr}) AS DOUBLE) * {SCALE}) AS DECIMAL(38, 0))"


def aggregates(c: Compiled, index: int) -> list[str]:
    """The aggregate expressions of one indicator (columns ``a{index}_*``)."""
    u, o = f"({c.universe})", f"({c.outcome})"
    if c.indicator.kind is Kind.RATE:
        return [
            f"count(*) FILTER (WHERE {u} AND {o} IS NOT NULL) AS a{index}_n",
            f"count(*) FILTER (WHERE {u} AND {o}) AS a{index}_k",
        ]
    scaled = _scaled(o)
    return [
        f"count(*) FILTER (WHERE {u} AND {o} IS NOT NULL) AS a{index}_n",
        f"sum({scaled}) FILTER (WHERE {u}) AS a{index}_s",
        f"sum({scaled} * {scaled}) FILTER (WHERE {u}) AS a{index}_ss",
    ]


def aggregate_sql(views: str, source: Source, compiled: list[Compiled],
                  groups: list[tuple[str, str]]) -> str:
    """One query: the view exploded by group, grouped by year, entity and group."""
    memberships = ", ".join(
        f"CASE WHEN coalesce({pred}, FALSE) THEN {sql_string(code)} END" for code, pred in groups
    )
    columns = [a for i, c in enumerate(compiled) for a in aggregates(c, i)]
    return (
        f"{views},\n"
        f"exploded AS (\n"
        f"    SELECT v.*, unnest(list_filter([{memberships}], lambda g: g IS NOT NULL))"
        f" AS student_group FROM {source.value} v\n"
        f")\n"
        f"SELECT school_year, entity_type, entity_id, student_group,\n       "
        + ",\n       ".join(columns)
        + "\nFROM exploded GROUP BY school_year, entity_type, entity_id, student_group"
    )
