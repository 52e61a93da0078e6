"""The resources stage of ``gapwatch run``: do money and stable staff follow need?

Stores, replacing earlier runs:

- ``need_index``, ``need_factors``, ``need_index_stability`` (:mod:`.need_index`);
- ``lcff`` (per school and year) and ``lcff_district`` (:mod:`.lcff`);
- ``staffing`` (per school and year), ``staffing_by_band`` and ``staffing_gap`` (highest- minus
  lowest-need band, :mod:`.staffing`);
- ``progressivity`` and ``progressivity_by_school`` (:mod:`.progressivity`).

Each part is a stage of :mod:`gapwatch.stages`, which declares what it needs: a part whose
tables are missing is skipped, with the reason in ``run_status`` and ``resources_status``; the
rest still runs.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
import pyarrow as pa

from gapwatch.config import Config, ConfigError
from gapwatch.warehouse import Warehouse


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


def stored_need_index(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """The stored ``need_index`` table, rows in the order they were stored."""
    return con.sql("SELECT * FROM need_index").to_arrow_table()


def store_need_index(con: duckdb.DuckDBPyConnection, config: Config) -> dict[str, int]:
    """``need_index``, ``need_factors`` and ``need_index_stability``; return row counts."""
    from gapwatch.resources.need_index import compute, rank_stability

    result = compute(con, need_spec(config))
    return _keep(con, {"need_index": result.index, "need_factors": result.factors,
                       "need_index_stability": rank_stability(result.index)})


def store_lcff(con: duckdb.DuckDBPyConnection, config: Config) -> dict[str, int]:
    """``lcff`` (per school and year) and ``lcff_district``; return row counts."""
    from gapwatch.resources.lcff import district_lcff, school_lcff

    rates = lcff_rates(config)
    return _keep(con, {"lcff": school_lcff(con, rates),
                       "lcff_district": district_lcff(con, rates=rates)})


def store_staffing(con: duckdb.DuckDBPyConnection, index: pa.Table | None) -> dict[str, int]:
    """``staffing``; with the need ``index``, ``staffing_by_band`` and ``staffing_gap`` too."""
    from gapwatch.resources.need_index import band_map
    from gapwatch.resources.staffing import band_gap, staffing_by_band, staffing_by_school

    by_school = staffing_by_school(con)
    counts = _keep(con, {"staffing": by_school})
    if index is not None:
        bands = band_map(index)
        counts |= _keep(con, {"staffing_by_band": staffing_by_band(by_school, bands),
                              "staffing_gap": band_gap(by_school, bands)})
    return counts


def store_progressivity(con: duckdb.DuckDBPyConnection, index: pa.Table) -> dict[str, int]:
    """``progressivity`` and ``progressivity_by_school`` against the need ``index``."""
    from gapwatch.resources.progressivity import progressivity, progressivity_by_school

    return _keep(con, {"progressivity": progressivity(con, index),
                       "progressivity_by_school": progressivity_by_school(con, index)})


def store_status(con: duckdb.DuckDBPyConnection,
                 parts: list[tuple[str, bool, str | None]]) -> None:
    """Replace ``resources_status``: each part, whether it ran, and why not."""
    Warehouse(con).store_rows("resources_status", (("part", "VARCHAR"), ("computed", "BOOLEAN"),
                                                   ("reason", "VARCHAR")), parts)


def _keep(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> dict[str, int]:
    return Warehouse(con).store_many(tables)
