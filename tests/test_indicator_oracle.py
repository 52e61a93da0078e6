"""gapwatch's indicator results against an independent pandas oracle (tests/oracle_indicators.py).

A synthetic district is built, ingested and run once per module; the oracle recomputes every
indicator from the bundle's CSV files. Both must have the same rows, the same ``n`` and
``numerator``, and values equal to 1e-9.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from oracle_indicators import KEYS, oracle_results

from gapwatch.config import Config, load_config
from gapwatch.indicators import run
from gapwatch.ingest import ingest_bundle
from gapwatch.synth import generate

ROW_KEY = [*KEYS, "indicator", "student_group"]
INTERSECTIONS = ("AA+M", "EL+SWD")
SHOW = 8  #: differing rows shown in a failure message


@dataclass(frozen=True)
class District:
    bundle: Path
    default: pd.DataFrame  #: gapwatch's indicator_results with the default config
    intersections: pd.DataFrame  #: ... with groups.intersections = INTERSECTIONS


def _results(db: Path) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(f"SELECT {', '.join([*ROW_KEY, 'n', 'numerator', 'value'])} "
                       "FROM indicator_results").df()


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> District:
    root = tmp_path_factory.mktemp("oracle")
    bundle = root / "bundle"
    generate(bundle, students=2500, schools=12, years=3, seed=11)
    db = root / "warehouse.duckdb"
    report = ingest_bundle(bundle, db)
    assert report.exit_code == 0, report.verdict()
    run(db, Config())
    default = _results(db)
    config = root / "gapwatch.toml"
    config.write_text('[groups]\nintersections = ["AA+M", "EL+SWD"]\n', encoding="utf-8")
    run(db, load_config(config))
    return District(bundle, default, _results(db))


def _show(frame: pd.DataFrame) -> str:
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        return frame.head(SHOW).to_string(index=False)


def assert_same_results(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same keys; n and numerator equal; value equal to 1e-9 (both NULL counts as equal)."""
    actual = actual.assign(school_year=actual["school_year"].astype("int64"))
    both = actual.merge(expected, on=ROW_KEY, how="outer", suffixes=("_gapwatch", "_oracle"),
                        indicator=True)
    only = both[both["_merge"] != "both"]
    assert only.empty, (
        f"{len(only)} rows in one result only "
        f"({(only['_merge'] == 'left_only').sum()} gapwatch only, "
        f"{(only['_merge'] == 'right_only').sum()} oracle only), e.g.:\n"
        + _show(only.sort_values(ROW_KEY)[[*ROW_KEY, "n_gapwatch", "n_oracle", "_merge"]]))

    def differs(col: str) -> np.ndarray:
        a = both[f"{col}_gapwatch"].astype("Float64").to_numpy(float, na_value=np.nan)
        b = both[f"{col}_oracle"].astype("Float64").to_numpy(float, na_value=np.nan)
        tol = 1e-9 if col == "value" else 0.0
        same = np.isclose(a, b, rtol=0.0, atol=tol) | (np.isnan(a) & np.isnan(b))
        return ~same

    bad = differs("n") | differs("numerator") | differs("value")
    cols = [*ROW_KEY, *(f"{c}_{s}" for c in ("n", "numerator", "value")
                        for s in ("gapwatch", "oracle"))]
    by_indicator = both[bad].groupby("indicator").size().to_dict()
    assert not bad.any(), (
        f"{bad.sum()} of {len(both)} rows differ (by indicator: {by_indicator}), e.g.:\n"
        + _show(both[bad].sort_values(ROW_KEY)[cols]))


def test_default_groups_match_the_oracle(district: District) -> None:
    assert_same_results(district.default, oracle_results(district.bundle))


def test_intersections_match_the_oracle(district: District) -> None:
    expected = oracle_results(district.bundle, intersections=INTERSECTIONS)
    assert set(expected["student_group"]) >= set(INTERSECTIONS)
    assert_same_results(district.intersections, expected)
