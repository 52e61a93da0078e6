"""The need index spec as data: its factors (what each reads, its direction and weight), how
factors are standardized, and the band cut-offs; :func:`load_spec` reads and checks it.

The shipped default is ``need_index_default.toml`` (the district's choice of weights; see its
header). A factor's ``source`` is one of

- ``enrollment_share:<group>``: the share of the school's enrollment rows of the year in the
  group (``SED``, ``EL``, ``SWD``, ``FOS``, ``HOM``, ``MIG``), read directly from
  ``enrollments`` with the membership rules of gapwatch's groups at a school (the flag of that
  school's enrollment row; an empty flag counts as "not in the group", an empty column for the
  whole school and year as "no data");
- ``indicator:<id>``: the school's All-students value of an indicator in ``indicator_results``
  (built-in or district-defined; docs/indicators.md), with its ``n``;
- ``cohort_share:<outcome>``: the share of the school's graduation cohort of that year (cohort
  year = school year) with that ``outcome`` code, e.g. ``DROPOUT``;
- ``community:<MEASURE>``: a ``community_context`` measure of the school and year (averaged if
  given more than once);
- SQL (a ``SELECT`` or ``WITH`` statement) over the warehouse returning ``school_year``,
  ``school_id``, ``value`` and optionally ``n``.

``direction`` says whether a higher value means more or less need. It is known for shares of
student groups, for dropouts and for built-in indicators (from their registry direction); it
must be given for community measures, other cohort outcomes, district indicators and SQL.
Sources: DATA_MODEL.md (tables, groups); METHODS.md 4 (LAUSD SENI factor families).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from gapwatch.config import ConfigError
from gapwatch.contract import CODE_SETS
from gapwatch.indicators.registry import BUILTIN_BY_ID, Direction
from gapwatch.sql import quote_ident, sql_string

DIRECTIONS = ("more_need", "less_need")

#: Group code -> (enrollments column, SQL membership predicate), as gapwatch.groups at a school.
ENROLLMENT_GROUPS: dict[str, tuple[str, str]] = {
    "SED": ("sed", "coalesce(sed, FALSE)"),
    "EL": ("el_status", "coalesce(el_status = 'EL', FALSE)"),
    "SWD": ("swd", "coalesce(swd, FALSE)"),
    "FOS": ("foster", "coalesce(foster, FALSE)"),
    "HOM": ("homeless", "coalesce(homeless, FALSE)"),
    "MIG": ("migrant", "coalesce(migrant, FALSE)"),
}
KINDS = ("enrollment_share", "indicator", "cohort_share", "community", "sql")
#: Cohort outcomes whose direction is known (more of them = more need).
NEED_OUTCOMES = ("DROPOUT",)

#: (school_year, school_id) -> (value, n or None)
Values = dict[tuple[int, str], tuple[float, int | None]]


@dataclass(frozen=True)
class Factor:
    """One factor of the index; ``weight`` is normalized (the spec's weights sum to 1)."""

    id: str
    label: str
    source: str
    direction: str  #: ``more_need`` (higher value = more need) or ``less_need``
    weight: float
    domain: str = ""  #: free text for display, e.g. ``student``, ``academic``, ``community``
    where: str = field(default="", compare=False)  #: file and key, for error messages

    @property
    def kind(self) -> str:
        return parse_source(self.source, self.where)[0]

    @property
    def arg(self) -> str:
        return parse_source(self.source, self.where)[1]


def parse_source(source: str, where: str) -> tuple[str, str]:
    """``(kind, argument)`` of a source string; ConfigError naming ``where`` when unknown."""
    text = source.strip()
    first = text.split(None, 1)[0].upper() if text else ""
    if first in ("SELECT", "WITH", "(SELECT"):
        return "sql", text
    kind, sep, arg = text.partition(":")
    if not sep or kind not in KINDS[:-1] or not arg:
        raise ConfigError(f"{where}.source: unknown factor source {source!r} (known: "
                          "enrollment_share:<group>, indicator:<id>, cohort_share:<outcome>, "
                          "community:<MEASURE>, or a SELECT statement)")
    if kind == "enrollment_share" and arg not in ENROLLMENT_GROUPS:
        raise ConfigError(f"{where}.source: unknown group {arg!r} for enrollment_share "
                          f"(known: {', '.join(ENROLLMENT_GROUPS)})")
    if kind == "cohort_share" and arg not in CODE_SETS["cohort_outcome"]:
        raise ConfigError(f"{where}.source: unknown cohort outcome {arg!r} (known: "
                          f"{', '.join(CODE_SETS['cohort_outcome'])})")
    return kind, arg


def known_direction(kind: str, arg: str) -> str | None:
    """The direction implied by the source, or None when the spec must say it."""
    if kind == "enrollment_share" or (kind == "cohort_share" and arg in NEED_OUTCOMES):
        return "more_need"
    if kind == "indicator" and arg in BUILTIN_BY_ID:
        better = BUILTIN_BY_ID[arg].direction
        return "less_need" if better is Direction.HIGHER else "more_need"
    return None


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Tables and views in the warehouse."""
    from gapwatch.warehouse import Warehouse

    wh = Warehouse(con)
    return wh.tables() | wh.views()


def needs_table(factor: Factor) -> str | None:
    """The table a built-in source reads (None for SQL)."""
    return {"enrollment_share": "enrollments", "indicator": "indicator_results",
            "cohort_share": "graduation_cohorts", "community": "community_context"
            }.get(factor.kind)


def factor_sql(factor: Factor) -> str:
    """SQL returning ``school_year, school_id, value, n`` for the factor (NULL value = no data)."""
    kind, arg = factor.kind, factor.arg
    if kind == "enrollment_share":
        column, member = ENROLLMENT_GROUPS[arg]
        return f"""SELECT CAST(school_year AS INTEGER), school_id,
                   CASE WHEN count({quote_ident(column)}) > 0
                        THEN CAST(count(*) FILTER (WHERE {member}) AS DOUBLE) / count(*) END,
                   count(*)
            FROM enrollments GROUP BY 1, 2"""
    if kind == "indicator":
        return f"""SELECT CAST(school_year AS INTEGER), entity_id, value, n
            FROM indicator_results
            WHERE entity_type = 'school' AND student_group = 'ALL'
              AND indicator = {sql_string(arg)}"""
    if kind == "cohort_share":
        return f"""SELECT CAST(cohort_year AS INTEGER), school_id,
                   CAST(count(*) FILTER (WHERE outcome = {sql_string(arg)}) AS DOUBLE) / count(*),
                   count(*)
            FROM graduation_cohorts GROUP BY 1, 2"""
    if kind == "community":
        return f"""SELECT CAST(school_year AS INTEGER), school_id, avg(value), NULL
            FROM community_context WHERE measure = {sql_string(arg)} AND value IS NOT NULL
            GROUP BY 1, 2"""
    return arg


def factor_values(con: duckdb.DuckDBPyConnection, factor: Factor, present: set[str]) -> Values:
    """The factor's raw value (and n) per school and year; empty when its table is absent."""
    table = needs_table(factor)
    if table is not None and table not in present:
        return {}
    if factor.kind != "sql":
        rows = con.sql(factor_sql(factor)).fetchall()
    else:
        rows = _user_sql(con, factor)
    out: Values = {}
    for year, school, value, n in rows:
        if value is None:
            continue
        key = (int(year), str(school))
        if key in out:
            raise ConfigError(f"{factor.where}.source: the SQL returns more than one row for "
                              f"school {school}, year {year}")
        out[key] = (float(value), None if n is None else int(n))
    return out


def _user_sql(con: duckdb.DuckDBPyConnection, factor: Factor) -> list[tuple]:
    try:
        rel = con.sql(factor.arg)
        columns = [c.lower() for c in rel.columns]
        missing = [c for c in ("school_year", "school_id", "value") if c not in columns]
        if missing:
            raise ConfigError(f"{factor.where}.source: the SQL must return school_year, "
                              f"school_id and value (optionally n); missing {', '.join(missing)}")
        n = "CAST(n AS BIGINT)" if "n" in columns else "NULL"
        return con.sql(f"SELECT CAST(school_year AS INTEGER), CAST(school_id AS VARCHAR), "
                       f"CAST(value AS DOUBLE), {n} FROM ({factor.arg})").fetchall()
    except duckdb.Error as err:
        raise ConfigError(f"{factor.where}.source: the SQL failed: {err}") from None


# --- the spec ------------------------------------------------------------------------------------

DEFAULT_SPEC = Path(__file__).with_name("need_index_default.toml")
#: Need bands, highest need first.
BANDS = ("Highest", "High", "Moderate", "Low", "Lowest")
STANDARDIZE = ("z", "percentile")
INDEX_KEYS = ("standardize", "bands", "min_n", "min_weight")
FACTOR_KEYS = ("id", "label", "source", "direction", "weight", "domain")
OVERRIDE_KEYS = (*INDEX_KEYS, "weights", "factors")


@dataclass(frozen=True)
class Bands:
    """Band cut-offs: four numbers, highest first, on the score or its percentile rank."""

    on: str = "percentile"  #: ``percentile`` (0-100) or ``score``
    cuts: tuple[float, float, float, float] = (80.0, 60.0, 40.0, 20.0)

    def band(self, value: float) -> str:
        """At or above a cut-off is the higher band."""
        return BANDS[sum(value < c for c in self.cuts)]


QUINTILES = Bands()


@dataclass(frozen=True)
class NeedIndexSpec:
    """Factors with normalized weights (summing to 1) and how the index is built."""

    factors: tuple[Factor, ...]
    standardize: str = "z"  #: ``z`` or ``percentile``
    bands: Bands = QUINTILES
    min_n: int = 11  #: fewer students than this: the factor is missing for the school
    min_weight: float = 0.5  #: share of the weight a school needs to be scored
    path: str = str(DEFAULT_SPEC)


def load_spec(path: Path | None = None, overrides: Mapping[str, Any] | None = None
              ) -> NeedIndexSpec:
    """Read a need-index spec (default: the shipped ``need_index_default.toml``).

    ``overrides`` may set ``standardize``, ``bands``, ``min_n``, ``min_weight``, replace
    ``factors`` (a list of factor tables) or change ``weights`` (factor id -> weight). Errors are
    :class:`ConfigError` naming the file and key.
    """
    file = Path(path) if path is not None else DEFAULT_SPEC
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{file}: need index spec not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{file}: not a valid TOML file: {err}") from None
    for key in data:
        if key not in ("index", "factors"):
            raise ConfigError(f"{file}: unknown key {key!r} (known: [index], [[factors]])")
    index = data.get("index", {})
    if not isinstance(index, dict):
        raise ConfigError(f"{file}: index must be an [index] table")
    settings: dict[str, tuple[Any, str]] = {}
    for key, value in index.items():
        if key not in INDEX_KEYS:
            raise ConfigError(f"{file}: index.{key}: unknown setting (known: "
                              f"{', '.join(INDEX_KEYS)})")
        settings[key] = (value, f"{file}: index.{key}")
    raw_factors, factors_where = data.get("factors", []), f"{file}: factors"
    overrides = dict(overrides or {})
    where_o = f"{file} (overrides)"
    for key in overrides:
        if key not in OVERRIDE_KEYS:
            raise ConfigError(f"{where_o}: unknown key {key!r} (known: "
                              f"{', '.join(OVERRIDE_KEYS)})")
    for key in INDEX_KEYS:
        if key in overrides:
            settings[key] = (overrides[key], f"{where_o}: {key}")
    if "factors" in overrides:
        raw_factors, factors_where = overrides["factors"], f"{where_o}: factors"
    factors = _factors(raw_factors, factors_where)
    if "weights" in overrides:
        factors = _reweight(factors, overrides["weights"], f"{where_o}: weights")
    return NeedIndexSpec(
        factors=_normalized(factors, factors_where),
        standardize=_choice(settings, "standardize", "z", STANDARDIZE),
        bands=_bands(*settings.get("bands", ("quintiles", ""))),
        min_n=_number(settings, "min_n", 11, int, 0, None),
        min_weight=_number(settings, "min_weight", 0.5, float, 0.0, 1.0),
        path=str(file),
    )


def _factors(raw: Any, where: str) -> list[Factor]:
    if not isinstance(raw, list) or not all(isinstance(f, Mapping) for f in raw):
        raise ConfigError(f"{where}: factors must be [[factors]] tables")
    if not raw:
        raise ConfigError(f"{where}: no factors")
    out: list[Factor] = []
    seen: set[str] = set()
    for i, spec in enumerate(raw, 1):
        at = f"{where}[{i}]"
        unknown = sorted(set(spec) - set(FACTOR_KEYS))
        if unknown:
            raise ConfigError(f"{at}.{unknown[0]}: unknown key (known: {', '.join(FACTOR_KEYS)})")
        for key in ("id", "source", "weight"):
            if key not in spec:
                raise ConfigError(f"{at}.{key}: missing")
        fid = spec["id"]
        if not isinstance(fid, str) or not fid:
            raise ConfigError(f"{at}.id: must be a non-empty string, got {fid!r}")
        if fid in seen:
            raise ConfigError(f"{at}.id: duplicate factor id {fid!r}")
        seen.add(fid)
        if not isinstance(spec["source"], str):
            raise ConfigError(f"{at}.source: must be a string")
        kind, arg = parse_source(spec["source"], at)
        implied = known_direction(kind, arg)
        direction = spec.get("direction", implied)
        if direction is None:
            raise ConfigError(f"{at}.direction: missing for factor {fid!r}: say whether a "
                              "higher value means more_need or less_need")
        if direction not in DIRECTIONS:
            raise ConfigError(f"{at}.direction: {direction!r} is not one of "
                              f"{', '.join(DIRECTIONS)}")
        if kind == "indicator" and implied is not None and direction != implied:
            raise ConfigError(f"{at}.direction: {direction!r} contradicts indicator {arg!r} "
                              f"(a higher value means {implied.replace('_', ' ')})")
        out.append(Factor(fid, str(spec.get("label", fid)), spec["source"], direction,
                          _weight(spec["weight"], f"{at}.weight", fid),
                          str(spec.get("domain", "")), at))
    return out


def _weight(value: Any, at: str, fid: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{at}: weight of factor {fid!r} must be a number, got {value!r}")
    if value < 0:
        raise ConfigError(f"{at}: negative weight {value!r} for factor {fid!r} "
                          "(weights must be 0 or more)")
    return float(value)


def _reweight(factors: list[Factor], weights: Any, where: str) -> list[Factor]:
    if not isinstance(weights, Mapping):
        raise ConfigError(f"{where}: must map factor ids to weights")
    ids = [f.id for f in factors]
    for fid in weights:
        if fid not in ids:
            raise ConfigError(f"{where}.{fid}: unknown factor {fid!r} (known: {', '.join(ids)})")
    return [replace(f, weight=_weight(weights[f.id], f"{where}.{f.id}", f.id))
            if f.id in weights else f for f in factors]


def _normalized(factors: list[Factor], where: str) -> tuple[Factor, ...]:
    total = math.fsum(f.weight for f in factors)
    if not total > 0:
        raise ConfigError(f"{where}: the weights sum to {total:g}; they must sum to a positive "
                          "total (they are then divided by it)")
    return tuple(replace(f, weight=f.weight / total) for f in factors if f.weight > 0)


def _choice(settings: dict, key: str, default: str, allowed: tuple[str, ...]) -> str:
    value, at = settings.get(key, (default, ""))
    if value not in allowed:
        raise ConfigError(f"{at}: {value!r} is not one of {', '.join(allowed)}")
    return value


def _number(settings: dict, key: str, default: float, kind: type, low: float,
            high: float | None) -> Any:
    value, at = settings.get(key, (default, ""))
    types = (int, float) if kind is float else (int,)
    ok = (isinstance(value, types) and not isinstance(value, bool) and math.isfinite(value)
          and value >= low and (high is None or value <= high))
    if not ok:
        span = f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"
        raise ConfigError(f"{at}: must be a{'n integer' if kind is int else ' number'} {span}, "
                          f"got {value!r}")
    return kind(value)


def _bands(value: Any, at: str) -> Bands:
    if value == "quintiles":
        return QUINTILES
    example = '"quintiles" or { on = "percentile", cuts = [80, 60, 40, 20] }'
    if not isinstance(value, Mapping):
        raise ConfigError(f"{at}: bands must be {example}, got {value!r}")
    unknown = sorted(set(value) - {"on", "cuts"})
    if unknown:
        raise ConfigError(f"{at}.{unknown[0]}: unknown key (known: on, cuts)")
    on, cuts = value.get("on", "percentile"), value.get("cuts")
    if on not in ("percentile", "score"):
        raise ConfigError(f"{at}.on: {on!r} is not one of percentile, score")
    if (not isinstance(cuts, list | tuple) or len(cuts) != len(BANDS) - 1
            or not all(isinstance(c, int | float) and not isinstance(c, bool)
                       and math.isfinite(c) for c in cuts)):
        raise ConfigError(f"{at}.cuts: need {len(BANDS) - 1} numbers separating the bands "
                          f"{', '.join(BANDS)}, got {cuts!r}")
    ordered = sorted((float(c) for c in cuts), reverse=True)
    if len(set(ordered)) != len(ordered):
        raise ConfigError(f"{at}.cuts: cut-offs must differ, got {cuts!r}")
    if on == "percentile" and not all(0 < c < 100 for c in ordered):
        raise ConfigError(f"{at}.cuts: percentile cut-offs must lie between 0 and 100, "
                          f"got {cuts!r}")
    return Bands(on, tuple(ordered))  # type: ignore[arg-type]
