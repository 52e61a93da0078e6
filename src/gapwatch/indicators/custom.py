"""District-defined indicators from ``[[indicators.custom]]`` in the config file."""

from __future__ import annotations

import duckdb

from gapwatch.config import Config, ConfigError
from gapwatch.contract import TABLES_BY_NAME
from gapwatch.indicators.registry import BUILTIN_BY_ID, Direction, Indicator, Kind, Source


def _choice(config: Config, where: str, key: str, value: object, enum: type) -> object:
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(e.value for e in enum)
        raise ConfigError(f"{config.where(where)}: {key} = {value!r} (known: {known})") from None


def custom_indicators(config: Config) -> list[Indicator]:
    """The config's indicators as :class:`Indicator` objects; clear errors when wrong."""
    out: list[Indicator] = []
    seen: set[str] = set()
    for i, spec in enumerate(config.custom_indicators, 1):
        where = f"indicators.custom[{i}]"
        ident = str(spec["id"])
        if ident in BUILTIN_BY_ID or ident in seen or not ident.isidentifier():
            raise ConfigError(f"{config.where(where)}: id {ident!r} must be a new name of "
                              "letters, digits and underscores")
        seen.add(ident)
        needs = tuple(spec.get("needs", ["enrollments"]))
        unknown = [t for t in needs if t not in TABLES_BY_NAME]
        if unknown:
            raise ConfigError(f"{config.where(where)}: needs names no contract table "
                              f"{unknown[0]!r}")
        out.append(Indicator(
            id=ident, name=str(spec["name"]), description=str(spec["description"]),
            citation=str(spec.get("citation", "District definition")),
            universe=str(spec["universe"]), outcome=str(spec["outcome"]),
            kind=_choice(config, where, "kind", spec["kind"], Kind),
            direction=_choice(config, where, "direction", spec["direction"], Direction),
            grades=str(spec.get("grades", "")), needs=needs,
            source=_choice(config, where, "source", spec.get("source", "student_year"), Source),
            caveats=str(spec.get("caveats", "")), builtin=False,
        ))
    return out


def check_custom_sql(con: duckdb.DuckDBPyConnection, views: str, indicators: list[Indicator],
                     config: Config) -> None:
    """Bind each district indicator's SQL against its view; a ConfigError names the mistake."""
    for i, ind in enumerate(i for i in indicators if not i.builtin):
        sql = (f"{views} SELECT ({ind.universe}) AS u, ({ind.outcome}) AS o "
               f"FROM {ind.source.value} LIMIT 0")
        try:
            con.execute(f"DESCRIBE {sql}").fetchall()
        except duckdb.Error as err:
            message = str(err).strip().splitlines()[0]
            raise ConfigError(
                f"{config.where(f'indicators.custom[{i + 1}]')} ({ind.id}): {message}"
            ) from None
