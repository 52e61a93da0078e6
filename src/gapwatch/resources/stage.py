"""The resources stage of ``gapwatch run``: do money and stable staff follow need?

Stores, replacing earlier runs:

- ``need_index``, ``need_factors``, ``need_index_stability`` (:mod:`.need_index`);
- ``lcff`` (per school and year) and ``lcff_district`` (:mod:`.lcff`);
- ``staffing`` (per school and year), ``staffing_by_band`` and ``staffing_gap`` (highest- minus
  lowest-need band, :mod:`.staffing`);
- ``progressivity`` and ``progressivity_by_school`` (:mod:`.progressivity`).

A part whose tables are missing from the bundle is skipped, with the reason in
``resources_status``; the rest still runs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from gapwatch.config import Config, ConfigError


def _store(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> int:
    con.register("__resources", table)
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM __resources")
    con.unregister("__resources")
    return table.num_rows


def need_spec(config: Config):
    """The configured need-index spec (``need_index.file``, default the shipped one)."""
    from gapwatch.resources.need_factors import load_spec

    path = config["need_index.file"]
    if path and config.path is not None and not Path(path).is_absolute():
        path = str(config.path.parent / path)
    return load_spec(Path(path) if path else None)


def lcff_rates(config: Config):
    """The LCFF rate tables: shipped, plus the folder ``lcff.rates_dir`` names."""
    from gapwatch.resources.lcff_tables import rate_tables

    path = config["lcff.rates_dir"]
    if path and config.path is not None and not Path(path).is_absolute():
        path = str(config.path.parent / path)
    try:
        return rate_tables(Path(path) if path else None)
    except (ValueError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{config.where('lcff.rates_dir')}: {err}") from None


#: Contract tables each part needs (optional ones are handled inside the part).
NEEDS = {
    "need_index": ("enrollments",),
    "lcff": ("enrollments", "students"),
    "staffing": ("staff",),
    "progressivity": ("enrollments",),
}


def store_resources(con: duckdb.DuckDBPyConnection, config: Config,
                    step: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Compute and store every resources table; return row counts."""
    from gapwatch.resources.lcff import district_lcff, school_lcff
    from gapwatch.resources.need_index import band_map, compute, rank_stability
    from gapwatch.resources.progressivity import progressivity, progressivity_by_school
    from gapwatch.resources.staffing import band_gap, staffing_by_band, staffing_by_school
    from gapwatch.warehouse import tables_present

    present = tables_present(con)
    counts: dict[str, int] = {}
    status: list[tuple[str, bool, str | None]] = []

    def ready(part: str) -> bool:
        missing = [t for t in NEEDS[part] if t not in present]
        if missing:
            status.append((part, False, "needs " + ", ".join(missing)))
        return not missing

    def keep(tables: dict[str, pa.Table]) -> None:
        for name, table in tables.items():
            counts[name] = _store(con, name, table)

    index = None
    step("need index")
    if ready("need_index"):
        result = compute(con, need_spec(config))
        index = result.index
        keep({"need_index": index, "need_factors": result.factors,
              "need_index_stability": rank_stability(index)})
        status.append(("need_index", True, None))
    step("LCFF entitlement and supplemental/concentration dollars")
    if ready("lcff"):
        rates = lcff_rates(config)
        keep({"lcff": school_lcff(con, rates), "lcff_district": district_lcff(con, rates=rates)})
        status.append(("lcff", True, None))
    step("staffing stability")
    if ready("staffing"):
        by_school = staffing_by_school(con)
        keep({"staffing": by_school})
        if index is not None:
            bands = band_map(index)
            keep({"staffing_by_band": staffing_by_band(by_school, bands),
                  "staffing_gap": band_gap(by_school, bands)})
        status.append(("staffing", True, None))
    step("funding and staffing progressivity")
    if index is None:
        status.append(("progressivity", False, "needs the need index"))
    elif ready("progressivity"):
        keep({"progressivity": progressivity(con, index),
              "progressivity_by_school": progressivity_by_school(con, index)})
        status.append(("progressivity", True, None))
    con.execute("CREATE OR REPLACE TABLE resources_status "
                "(part VARCHAR, computed BOOLEAN, reason VARCHAR)")
    con.executemany("INSERT INTO resources_status VALUES (?, ?, ?)", status)
    return counts
