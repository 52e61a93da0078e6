"""Which method choices a run used, kept with its results and published with the site.

``gapwatch run`` stores the table ``methods_used`` (one row per choice: ``method``, ``setting``,
``value``, ``verified``, ``source``): whether the participation rule was applied, the ELPI
reference (version, how levels 2 and 3 were split, which parts are verified), and the
indicators the district's data could not support (``not_computed``: name, what it needs). ``gapwatch
report`` writes the same rows to ``SITE/data/methods.json`` (settings, no student data), and the
methodology page says in words what was used.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from gapwatch.config import Config
from gapwatch.indicators.elpi import reference_from_config
from gapwatch.indicators.participation import rule
from gapwatch.warehouse import Warehouse

COLUMNS = ("method", "setting", "value", "verified", "source")
#: Their types in the ``methods_used`` table.
METHODS_TYPES = tuple(zip(COLUMNS, ("VARCHAR", "VARCHAR", "VARCHAR", "BOOLEAN", "VARCHAR"),
                          strict=True))


def methods_rows(config: Config) -> list[tuple]:
    """The rows of ``methods_used`` for a run with ``config``."""
    p, elpi = rule(), reference_from_config(config)
    on = bool(config["indicators.participation_rule"])
    return [
        ("participation_rule", "applied", "on" if on else "off", p.verified["rule"], p.source),
        ("participation_rule", "version", p.version, p.verified["rule"], p.source),
        ("participation_rule", "first_year", str(p.first_year), p.verified["first_year"],
         p.source),
        ("elpi_levels", "version", elpi.version, elpi.verified["rules"], elpi.path),
        ("elpi_levels", "split_rule", elpi.split_rule, elpi.verified["splits"], elpi.path),
        ("elpi_levels", "thresholds", "given", elpi.verified["thresholds"], elpi.path),
        ("elpi_levels", "alternate_from", str(elpi.alternate_from), elpi.verified["alternate"],
         elpi.path),
    ]


def not_computed_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Indicators the run could not compute, as rows of ``methods_used`` (method
    ``not_computed``, setting the indicator's name, value what it needs): what the district's
    data lacks, which the methodology page says in words. Structural facts only (which tables a
    district gave), never counts."""
    from gapwatch.indicators.registry import BUILTIN_BY_ID

    rows = con.execute("SELECT indicator, reason FROM indicator_status WHERE NOT computed "
                       "ORDER BY indicator").fetchall()
    return [("not_computed", BUILTIN_BY_ID[i].name if i in BUILTIN_BY_ID else i,
             (reason or "").removeprefix("needs "), True, "indicator_status")
            for i, reason in rows]


def store_methods(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """Replace ``methods_used`` in the warehouse (after ``indicator_status``)."""
    Warehouse(con).store_rows("methods_used", METHODS_TYPES,
                              methods_rows(config) + not_computed_rows(con))


def read_methods(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, dict]]:
    """``methods_used`` as ``{method: {setting: {"value", "verified"}}}`` ({} before a run)."""
    if not Warehouse(con).has("methods_used"):
        return {}
    out: dict[str, dict[str, dict]] = {}
    for method, setting, value, verified, _ in con.execute(
            "SELECT * FROM methods_used").fetchall():
        out.setdefault(method, {})[setting] = {"value": value, "verified": verified}
    return out


def write_methods(methods: dict, data_dir: Path) -> None:
    """``methods.json`` beside the published files."""
    (data_dir / "methods.json").write_text(json.dumps(methods, indent=1, sort_keys=True),
                                           encoding="utf-8")
