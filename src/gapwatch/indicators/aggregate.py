"""Aggregation: every indicator x student group x entity x year in one pass per view.

First the view is grouped by year, entity and every column a group reads (race, gender, EL
status, flags): a few hundred cells per school instead of one row per student. Then each cell
is exploded into the groups it belongs to and the cells' sums are added up per group.

The engine computes only exact quantities: for a rate, ``n`` and the count of successes; for a
mean, ``n``, the sum and the sum of squares of the outcome scaled to integers (4 decimals) as
DECIMAL(38, 0). Values, standard errors and intervals are then computed once, in Python, from
those exact aggregates (:mod:`gapwatch.indicators.stats`), so DuckDB and Spark give identical
results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gapwatch.groups import GROUP_COLUMNS, Group
from gapwatch.indicators.registry import Indicator, Kind, Source
from gapwatch.sql import sql_string

#: Means are summed as integers of 1/SCALE (exact in both engines).
SCALE = 10_000
ACADEMIC_PREFIX = "academic:"
#: Prefix of the twin groups of each widened EL definition (``Indicator.el_group``).
TWIN_PREFIXES = {"academic": ACADEMIC_PREFIX, "elpi": "elpi:"}


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
    """(code, predicate) pairs, with twins of EL groups (``academic:EL``, ``elpi:EL`` ...) for
    the widened EL definitions the indicators use."""
    pairs = [(g.code, g.predicate()) for g in groups]
    for variant, prefix in TWIN_PREFIXES.items():
        if any(c.indicator.el_group == variant for c in indicators):
            pairs += [(prefix + g.code, g.predicate(variant))
                      for g in groups if "EL" in g.parts]
    return pairs


def _scaled(expr: str) -> str:
    return f"CAST(round(CAST(({expr}) AS DOUBLE) * {SCALE}) AS DECIMAL(38, 0))"


def aggregates(c: Compiled, index: int) -> list[tuple[str, str]]:
    """(name, aggregate expression) pairs of one indicator (``a{index}_*``)."""
    u, o = f"({c.universe})", f"({c.outcome})"
    if c.indicator.kind is Kind.RATE:
        return [
            (f"a{index}_n", f"count(*) FILTER (WHERE {u} AND {o} IS NOT NULL)"),
            (f"a{index}_k", f"count(*) FILTER (WHERE {u} AND {o})"),
        ]
    scaled = _scaled(o)
    pairs = [
        (f"a{index}_n", f"count(*) FILTER (WHERE {u} AND {o} IS NOT NULL)"),
        (f"a{index}_s", f"sum({scaled}) FILTER (WHERE {u})"),
        (f"a{index}_ss", f"sum({scaled} * {scaled}) FILTER (WHERE {u})"),
    ]
    if c.indicator.participation:
        p = c.indicator.participation
        pairs += [
            (f"a{index}_pe", f"count(*) FILTER (WHERE {p}_expected)"),
            (f"a{index}_pt", f"count(*) FILTER (WHERE {p}_tested)"),
            (f"a{index}_pl", f"sum({_scaled(f'{p}_loss_dfs')}) FILTER (WHERE {p}_expected "
                             f"AND NOT {p}_tested)"),
        ]
    levels = f"({c.indicator.levels})" if c.indicator.levels else ""
    pairs += [(f"a{index}_l{k}", f"count(*) FILTER (WHERE {u} AND {o} IS NOT NULL AND "
                                 f"{levels} = {k})")
              for k in range(1, c.indicator.level_count + 1) if levels]
    return pairs


def referenced_columns(compiled: list[Compiled]) -> set[str]:
    """Every column name the indicators' universes and outcomes read (parsed with SQLGlot)."""
    import sqlglot
    from sqlglot import exp

    names: set[str] = set()
    for c in compiled:
        if c.indicator.participation:
            p = c.indicator.participation
            names |= {f"{p}_expected", f"{p}_tested", f"{p}_loss_dfs"}
        for sql in (c.universe, c.outcome, c.indicator.levels or "TRUE"):
            names |= {col.name for col in sqlglot.parse_one(sql, read="duckdb").find_all(
                exp.Column)}
    return names


#: Columns a view's groups read beyond GROUP_COLUMNS (home-language groups: family_year only).
SOURCE_DIMS: dict[Source, tuple[str, ...]] = {Source.FAMILY_YEAR: ("home_language_code",)}


def narrow_view_sql(views: str, source: Source, compiled: list[Compiled],
                    extra: Iterable[str] = ()) -> str:
    """The view's rows with only the columns the aggregation reads, and ``extra`` (to
    materialize)."""
    keep = ["school_year", "entity_type", "entity_id", *GROUP_COLUMNS,
            *SOURCE_DIMS.get(source, ())]
    keep += sorted((referenced_columns(compiled) | set(extra)) - set(keep))
    return f"{views}\nSELECT {', '.join(keep)} FROM {source.value}"


def aggregate_sql(views: str, source: Source, compiled: list[Compiled],
                  groups: list[tuple[str, str]]) -> str:
    """One query: ``views`` (``WITH ...``, or empty when ``source`` is a materialized
    relation), its cells, then groups."""
    memberships = ", ".join(
        f"CASE WHEN coalesce({pred}, FALSE) THEN {sql_string(code)} END" for code, pred in groups
    )
    pairs = [p for i, c in enumerate(compiled) for p in aggregates(c, i)]
    keys = "school_year, entity_type, entity_id"
    dims = ", ".join((*GROUP_COLUMNS, *SOURCE_DIMS.get(source, ())))
    return (
        (f"{views},\n" if views else "WITH ") + "cells AS (\n"
        f"    SELECT {keys}, {dims},\n           "
        + ",\n           ".join(f"{expr} AS {name}" for name, expr in pairs)
        + f"\n    FROM {source.value} GROUP BY {keys}, {dims}\n),\n"
        f"exploded AS (\n"
        f"    SELECT c.*, unnest(list_filter([{memberships}], lambda g: g IS NOT NULL))"
        f" AS student_group FROM cells c\n)\n"
        f"SELECT {keys}, student_group,\n       "
        + ",\n       ".join(f"sum({name}) AS {name}" for name, _ in pairs)
        + f"\nFROM exploded GROUP BY {keys}, student_group"
    )
