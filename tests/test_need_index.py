"""The school need index: hand-worked examples, every spec error, and a synthetic district
recomputed independently with pandas."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from gapwatch.config import Config, ConfigError
from gapwatch.indicators import run
from gapwatch.ingest import ingest_bundle
from gapwatch.resources.need_index import (
    BANDS,
    DEFAULT_SPEC,
    NeedIndexError,
    band_map,
    compute,
    load_spec,
    need_factors,
    need_index,
    rank_stability,
)
from gapwatch.synth import generate

YEAR = 2025
SCHOOLS = ["S1", "S2", "S3", "S4", "S5"]

# The hand-built district: five schools of 10 students each.
#
# sed (share SED, more need when higher): 2, 4, 5, 6, 8 of 10 -> 0.2, 0.4, 0.5, 0.6, 0.8;
#   mean 0.5, deviations -0.3 -0.1 0 0.1 0.3, population SD sqrt(0.2 / 5) = 0.2
#   -> z = -1.5, -0.5, 0, 0.5, 1.5
# grade3_reading (met standard, less need when higher): 0.8, 0.6, 0.4, 0.5, 0.2;
#   mean 0.5, SD 0.2 -> z of the value 1.5, 0.5, -0.5, 0, -1.5 -> need z -1.5, -0.5, 0.5, 0, 1.5
# asthma (more need): 8, 8, 8, 8, 18; mean 10, deviations -2 (x4) and 8, SD sqrt(80 / 5) = 4
#   -> z = -0.5, -0.5, -0.5, -0.5, 2
# Weights 5, 3, 2 in the file -> 0.5, 0.3, 0.2. Scores (sum of weight x z):
#   S1 = -0.75 - 0.45 - 0.1 = -1.30     S4 = 0.25 + 0    - 0.1 = 0.15
#   S2 = -0.25 - 0.15 - 0.1 = -0.50     S5 = 0.75 + 0.45 + 0.4 = 1.60
#   S3 =  0    + 0.15 - 0.1 =  0.05
# Ranks (1 = highest need): S5 1, S4 2, S3 3, S2 4, S1 5. Percentile rank of the score
# 100 x (below + 1/2) / 5: S1 10, S2 30, S3 50, S4 70, S5 90 -> quintile bands (80/60/40/20):
# S5 Highest, S4 High, S3 Moderate, S2 Low, S1 Lowest.
SED = [2, 4, 5, 6, 8]
G3 = [0.8, 0.6, 0.4, 0.5, 0.2]
ASTHMA = [8.0, 8.0, 8.0, 8.0, 18.0]
Z = {"sed": [-1.5, -0.5, 0.0, 0.5, 1.5], "grade3_reading": [-1.5, -0.5, 0.5, 0.0, 1.5],
     "asthma": [-0.5, -0.5, -0.5, -0.5, 2.0]}
SCORES = [-1.30, -0.50, 0.05, 0.15, 1.60]

SPEC = """
[index]
standardize = "z"
min_n = 5

[[factors]]
id = "sed"
label = "SED share"
source = "enrollment_share:SED"
weight = 5

[[factors]]
id = "grade3_reading"
source = "indicator:grade3_reading_met"
weight = 3

[[factors]]
id = "asthma"
source = "community:ASTHMA_RATE"
direction = "more_need"
weight = 2
"""


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    def lit(v: object) -> str:
        if v is None:
            return "NULL"
        if isinstance(v, str):
            return "'" + v.replace("'", "''") + "'"
        return repr(v).upper() if isinstance(v, bool) else repr(v)

    if rows:
        values = ", ".join("(" + ", ".join(lit(v) for v in r) + ")" for r in rows)
        con.sql(f"INSERT INTO {table} VALUES {values}")


def hand_warehouse(g3: list[float | None] = G3, g3_n: list[int] | None = None,
                   years: tuple[int, ...] = (YEAR,)) -> duckdb.DuckDBPyConnection:
    """The district above (the same numbers in every year given); only the columns read."""
    con = duckdb.connect()
    con.sql("CREATE TABLE schools (school_id VARCHAR, school_name VARCHAR)")
    con.sql("CREATE TABLE enrollments (school_year SMALLINT, student_id VARCHAR, "
            "school_id VARCHAR, sed BOOLEAN)")
    con.sql("CREATE TABLE indicator_results (school_year SMALLINT, entity_type VARCHAR, "
            "entity_id VARCHAR, indicator VARCHAR, student_group VARCHAR, n BIGINT, "
            "value DOUBLE)")
    con.sql("CREATE TABLE community_context (school_id VARCHAR, school_year SMALLINT, "
            "measure VARCHAR, value DOUBLE)")
    _insert(con, "schools", [(s, f"School {s}") for s in SCHOOLS])
    g3_n = g3_n or [20] * 5
    for year in years:
        _insert(con, "enrollments", [(year, f"{s}-{i}", s, i < k)
                                     for s, k in zip(SCHOOLS, SED, strict=True)
                                     for i in range(10)])
        _insert(con, "indicator_results", [
            (year, "school", s, "grade3_reading_met", "ALL", n, v)
            for s, v, n in zip(SCHOOLS, g3, g3_n, strict=True) if v is not None] + [
            # rows the index must ignore: another group, the district, another indicator
            (year, "school", "S1", "grade3_reading_met", "SED", 10, 0.0),
            (year, "district", "D", "grade3_reading_met", "ALL", 100, 0.5),
            (year, "school", "S1", "ela_met", "ALL", 50, 0.0)])
        _insert(con, "community_context", [(s, year, "ASTHMA_RATE", a)
                                           for s, a in zip(SCHOOLS, ASTHMA, strict=True)])
    return con


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "need.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _by_school(table, column: str) -> list:
    rows = {r["school_id"]: r[column] for r in table.to_pylist()}
    return [rows.get(s) for s in SCHOOLS]


def test_z_scores_weights_contributions_ranks_and_bands_by_hand(spec_file: Path) -> None:
    spec = load_spec(spec_file)
    assert [f.weight for f in spec.factors] == pytest.approx([0.5, 0.3, 0.2])
    result = compute(hand_warehouse(), spec)
    factors = result.factors.to_pandas()
    for fid, expected in Z.items():
        got = factors[factors.factor == fid].set_index("school_id").loc[SCHOOLS]
        assert got.standardized.tolist() == pytest.approx(expected)
        weight = {"sed": 0.5, "grade3_reading": 0.3, "asthma": 0.2}[fid]
        assert got.weight.tolist() == pytest.approx([weight] * 5)
        assert got.contribution.tolist() == pytest.approx([weight * z for z in expected])
    assert factors[factors.factor == "sed"].raw_value.tolist() == pytest.approx(
        [0.2, 0.4, 0.5, 0.6, 0.8])
    index = result.index
    assert _by_school(index, "score") == pytest.approx(SCORES)
    assert _by_school(index, "rank") == [5, 4, 3, 2, 1]
    assert _by_school(index, "percentile") == [10.0, 30.0, 50.0, 70.0, 90.0]
    assert _by_school(index, "band") == ["Lowest", "Low", "Moderate", "High", "Highest"]
    assert _by_school(index, "n_students") == [10] * 5
    assert _by_school(index, "factors_used") == [3] * 5
    assert _by_school(index, "note") == [None] * 5
    assert index["school_id"].to_pylist() == ["S5", "S4", "S3", "S2", "S1"]  # by rank
    assert index["school_name"].to_pylist()[0] == "School S5"
    # contributions add up to the score exactly (the score is their correctly rounded sum)
    for row in index.to_pylist():
        parts = factors[factors.school_id == row["school_id"]].contribution.tolist()
        assert math.fsum(parts) == row["score"]
    assert result.unavailable == {}
    assert need_index(hand_warehouse(), spec).equals(index)
    assert need_factors(hand_warehouse(), spec).equals(result.factors)


def test_percentile_standardization_by_hand(spec_file: Path) -> None:
    # Percentile rank 100 x (below + half of the equal, itself included) / 5 of the need value:
    #   sed: 10, 30, 50, 70, 90; grade3 (lower value = more need): 10, 30, 70, 50, 90;
    #   asthma: four tied at 8 -> 100 x (0 + 4/2) / 5 = 40, and 18 -> 90.
    # Scores: S1 .5x10 + .3x10 + .2x40 = 16; S2 15 + 9 + 8 = 32; S3 25 + 21 + 8 = 54;
    #         S4 35 + 15 + 8 = 58; S5 45 + 27 + 18 = 90.
    spec = load_spec(spec_file, {"standardize": "percentile"})
    result = compute(hand_warehouse(), spec)
    factors = result.factors.to_pandas()
    asthma = factors[factors.factor == "asthma"].set_index("school_id").loc[SCHOOLS]
    assert asthma.standardized.tolist() == [40.0, 40.0, 40.0, 40.0, 90.0]
    g3 = factors[factors.factor == "grade3_reading"].set_index("school_id").loc[SCHOOLS]
    assert g3.standardized.tolist() == [10.0, 30.0, 70.0, 50.0, 90.0]
    assert _by_school(result.index, "score") == pytest.approx([16, 32, 54, 58, 90])
    assert _by_school(result.index, "rank") == [5, 4, 3, 2, 1]
    assert _by_school(result.index, "band") == ["Lowest", "Low", "Moderate", "High", "Highest"]


def test_explicit_cut_offs_on_score_and_on_percentile(spec_file: Path) -> None:
    # On the score (cuts given in any order): 1.6 >= 1 Highest; 0.15 >= 0.1 High;
    # 0.05 >= 0 Moderate; -0.5 >= -1 Low; -1.3 Lowest.
    on_score = load_spec(spec_file, {"bands": {"on": "score", "cuts": [-1, 0, 0.1, 1]}})
    index = need_index(hand_warehouse(), on_score)
    assert _by_school(index, "band") == ["Lowest", "Low", "Moderate", "High", "Highest"]
    # On the percentile, 95/75/50/25: S5 (90) High, S4 (70) and S3 (50, on the cut-off)
    # Moderate, S2 (30) Low, S1 (10) Lowest; nobody is Highest.
    on_pct = load_spec(spec_file, {"bands": {"on": "percentile", "cuts": [95, 75, 50, 25]}})
    index = need_index(hand_warehouse(), on_pct)
    assert _by_school(index, "band") == ["Lowest", "Low", "Moderate", "Moderate", "High"]


MISSING_G3 = [0.7, 0.7, 0.9, 0.3, 0.3]


@pytest.mark.parametrize("how", ["absent", "small_n"])
def test_missing_factor_rescales_the_schools_weights(spec_file: Path, how: str) -> None:
    # Grade 3 reading is missing at S3 (no row, or n = 3 < min_n 5). It is standardized over
    # the other four: 0.7, 0.7, 0.3, 0.3, mean 0.5, SD 0.2 -> need z -1, -1, 1, 1.
    # S3 keeps sed (z 0, weight .5) and asthma (z -0.5, weight .2), rescaled to 5/7 and 2/7:
    #   score = 5/7 x 0 + 2/7 x (-0.5) = -1/7.
    # The others: S1 -.75 - .3 - .1 = -1.15; S2 -.25 - .3 - .1 = -.65; S4 .25 + .3 - .1 = .45;
    #   S5 .75 + .3 + .4 = 1.45.
    if how == "absent":
        con = hand_warehouse([0.7, 0.7, None, 0.3, 0.3])
        reason = "grade3_reading (no data)"
    else:
        con = hand_warehouse(MISSING_G3, [20, 20, 3, 20, 20])
        reason = "grade3_reading (n=3 < 5)"
    result = compute(con, load_spec(spec_file))
    assert _by_school(result.index, "score") == pytest.approx([-1.15, -0.65, -1 / 7, 0.45, 1.45])
    assert _by_school(result.index, "rank") == [5, 4, 3, 2, 1]
    assert _by_school(result.index, "factors_used") == [3, 3, 2, 3, 3]
    note = _by_school(result.index, "note")[2]
    assert reason in note and "rescaled over 2 of 3 factors (0.700 of the weight)" in note
    s3 = result.factors.to_pandas().query("school_id == 'S3'").set_index("factor")
    assert sorted(s3.index) == ["asthma", "sed"]
    assert s3.loc["sed", "weight"] == pytest.approx(5 / 7)
    assert s3.loc["asthma", "weight"] == pytest.approx(2 / 7)
    g3 = result.factors.to_pandas().query("factor == 'grade3_reading'")
    assert g3.standardized.tolist() == pytest.approx([-1, -1, 1, 1])


def test_min_weight_leaves_a_school_unscored(spec_file: Path) -> None:
    # With min_weight 0.75, S3 (0.7 of the weight) gets no score; the other four are ranked:
    # percentile 100 x (below + 1/2) / 4: S1 12.5, S2 37.5, S4 62.5, S5 87.5.
    spec = load_spec(spec_file, {"min_weight": 0.75})
    result = compute(hand_warehouse([0.7, 0.7, None, 0.3, 0.3]), spec)
    index = result.index
    assert _by_school(index, "score")[2] is None
    assert _by_school(index, "rank") == [4, 3, None, 2, 1]
    assert _by_school(index, "percentile") == [12.5, 37.5, None, 62.5, 87.5]
    assert _by_school(index, "band") == ["Lowest", "Low", None, "High", "Highest"]
    assert "not scored" in _by_school(index, "note")[2]
    assert band_map(index) == {(YEAR, "S1"): "Lowest", (YEAR, "S2"): "Low",
                               (YEAR, "S4"): "High", (YEAR, "S5"): "Highest"}
    assert index["school_id"].to_pylist()[-1] == "S3"  # unscored last
    s3 = result.factors.to_pandas().query("school_id == 'S3'")
    assert len(s3) == 2 and s3.weight.isna().all() and s3.contribution.isna().all()


def test_a_factor_only_one_school_has_is_not_compared(spec_file: Path) -> None:
    con = hand_warehouse([None, None, None, None, 0.5])
    result = compute(con, load_spec(spec_file))
    assert "grade3_reading (no other school to compare with)" in _by_school(
        result.index, "note")[4]
    assert "grade3_reading" not in result.factors["factor"].to_pylist()


def test_equal_values_standardize_to_zero(spec_file: Path) -> None:
    result = compute(hand_warehouse([0.5] * 5), load_spec(spec_file))
    g3 = result.factors.to_pandas().query("factor == 'grade3_reading'")
    assert g3.standardized.tolist() == [0.0] * 5


def test_sql_source_gives_the_same_index(spec_file: Path) -> None:
    sql = ("SELECT school_year, school_id, value FROM community_context "
           "WHERE measure = 'ASTHMA_RATE'")
    spec = load_spec(spec_file)
    factors = [dict(id=f.id, source=f.source, weight=f.weight, direction=f.direction)
               for f in spec.factors]
    factors[2]["source"] = sql
    via_sql = load_spec(spec_file, {"factors": factors})
    assert need_index(hand_warehouse(), via_sql).equals(need_index(hand_warehouse(), spec))


def test_absent_table_makes_the_factor_missing_everywhere(spec_file: Path) -> None:
    con = hand_warehouse()
    con.sql("DROP TABLE community_context")
    result = compute(con, load_spec(spec_file))
    assert result.unavailable == {"asthma": "needs community_context"}
    assert all("asthma (no data)" in n for n in result.index["note"].to_pylist())
    # sed and grade3 rescaled to 5/8 and 3/8
    expected = [0.625 * a + 0.375 * b for a, b in zip(Z["sed"], Z["grade3_reading"],
                                                      strict=True)]
    assert _by_school(result.index, "score") == pytest.approx(expected)


def test_indicator_factors_need_indicator_results(spec_file: Path) -> None:
    con = hand_warehouse()
    con.sql("DROP TABLE indicator_results")
    with pytest.raises(NeedIndexError, match="gapwatch run"):
        need_index(con, load_spec(spec_file))


def test_default_spec_is_documented_as_the_districts_choice() -> None:
    spec = load_spec()
    assert math.fsum(f.weight for f in spec.factors) == pytest.approx(1.0)
    assert len(spec.factors) == 13
    assert spec.standardize == "z" and spec.bands.cuts == (80, 60, 40, 20)
    directions = {f.id: f.direction for f in spec.factors}
    assert directions["grade3_reading"] == directions["youth_programs"] == "less_need"
    assert directions["dropout"] == directions["asthma"] == "more_need"
    header = DEFAULT_SPEC.read_text(encoding="utf-8").split("[index]")[0]
    assert "DISTRICT'S CHOICE" in header and "could NOT be verified" in header
    raw = tomllib.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))
    assert all({"id", "label", "source", "direction", "weight"} <= set(f)
               for f in raw["factors"])
    assert load_spec(None, {"weights": {"sed": 0}}).factors[0].id == "el"


# --- rank stability ------------------------------------------------------------------------------

def _index(scores: dict[int, dict[str, float]], bands: dict[int, dict[str, str]]):
    import pyarrow as pa

    rows = [{"school_year": y, "school_id": s, "score": v, "band": bands[y].get(s, "Moderate")}
            for y, by in scores.items() for s, v in by.items()]
    return pa.Table.from_pylist(rows)


def test_spearman_by_hand_and_against_scipy() -> None:
    # Six schools; ranks in 2024 1..6, in 2025 2, 1, 3, 4, 6, 5 -> d = 1, 1, 0, 0, 1, 1,
    # sum d^2 = 4, rho = 1 - 6 x 4 / (6 x 35) = 1 - 24/210 = 31/35 = 0.885714...
    # Fisher z = atanh(31/35) = ln(66/4) / 2 = ln(16.5) / 2; se = sqrt(1.06 / 3).
    # School G is only in 2025 and is left out. Bands change for schools A and F.
    a = {"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0, "E": 5.0, "F": 6.0}
    b = {"A": 2.0, "B": 1.0, "C": 3.0, "D": 4.0, "E": 6.0, "F": 5.0, "G": 9.0}
    bands = {2024: {"A": "Low", "F": "High"}, 2025: {"A": "Lowest", "F": "Highest"}}
    out = rank_stability(_index({2024: a, 2025: b}, bands)).to_pylist()
    assert len(out) == 1
    row = out[0]
    assert (row["from_year"], row["to_year"], row["n"], row["band_changes"]) == (2024, 2025, 6, 2)
    assert row["spearman"] == pytest.approx(31 / 35, abs=1e-15)
    z, se = math.log(16.5) / 2, math.sqrt(1.06 / 3)
    assert row["ci_low"] == pytest.approx(math.tanh(z - 1.959963984540054 * se))
    assert row["ci_high"] == pytest.approx(math.tanh(z + 1.959963984540054 * se))
    common = sorted(a)
    assert row["spearman"] == pytest.approx(
        stats.spearmanr([a[s] for s in common], [b[s] for s in common]).statistic)


def test_spearman_with_ties_matches_scipy() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(0, 5, 40).astype(float)
    y = x + rng.integers(-2, 3, 40)
    ids = [f"s{i:02d}" for i in range(40)]
    none = {2020: {}, 2021: {}}
    row = rank_stability(_index({2020: dict(zip(ids, x, strict=True)),
                                 2021: dict(zip(ids, y, strict=True))}, none)).to_pylist()[0]
    assert row["spearman"] == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)
    assert row["n"] == 40 and row["band_changes"] == 0


def test_stability_edge_cases() -> None:
    none = {2020: {}, 2021: {}, 2023: {}}
    table = rank_stability(_index({2020: {"a": 1, "b": 2, "c": 3},
                                   2021: {"a": 1, "b": 3, "c": 2},
                                   2023: {"a": 1, "b": 2, "c": 3}}, none))
    # 2021 -> 2023 is not consecutive; n = 3 gives no interval
    assert table.num_rows == 1
    row = table.to_pylist()[0]
    assert row["spearman"] == pytest.approx(0.5) and row["ci_low"] is None
    perfect = rank_stability(_index({2020: {s: i for i, s in enumerate("abcde")},
                                     2021: {s: 2 * i for i, s in enumerate("abcde")}},
                                    none)).to_pylist()[0]
    assert perfect["spearman"] == perfect["ci_low"] == perfect["ci_high"] == 1.0


def test_stability_of_a_stable_district(spec_file: Path) -> None:
    index = need_index(hand_warehouse(years=(2024, 2025)), load_spec(spec_file))
    row = rank_stability(index).to_pylist()[0]
    assert (row["n"], row["spearman"], row["band_changes"]) == (5, 1.0, 0)


# --- spec errors ---------------------------------------------------------------------------------

FACTOR = '[[factors]]\nid = "sed"\nsource = "enrollment_share:SED"\nweight = 1\n'


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    return path


FILE_ERRORS = [
    ("[index]\nstandardize = 'rank'\n" + FACTOR, "index.standardize", "'rank' is not one of"),
    ("[index]\nsize = 3\n" + FACTOR, "index.size", "unknown setting"),
    ("[index]\nmin_n = -1\n" + FACTOR, "index.min_n", "must be an integer"),
    ("[index]\nmin_weight = 1.5\n" + FACTOR, "index.min_weight", "from 0 to 1"),
    ("[index]\nbands = 'deciles'\n" + FACTOR, "index.bands", "bands must be"),
    ("[index]\nbands = { on = 'score', cuts = [1, 0] }\n" + FACTOR, "index.bands.cuts",
     "need 4 numbers"),
    ("[index]\nbands = { cuts = [80, 60, 60, 20] }\n" + FACTOR, "index.bands.cuts",
     "must differ"),
    ("[index]\nbands = { cuts = [100, 60, 40, 20] }\n" + FACTOR, "index.bands.cuts",
     "between 0 and 100"),
    ("[index]\nbands = { on = 'rank', cuts = [4, 3, 2, 1] }\n" + FACTOR, "index.bands.on",
     "is not one of"),
    ("[index]\nbands = { on = 'score', cut = [4, 3, 2, 1] }\n" + FACTOR, "index.bands.cut",
     "unknown key"),
    ("[weights]\nsed = 1\n" + FACTOR, "'weights'", "unknown key"),
    ("", "factors", "no factors"),
    (FACTOR + 'colour = "red"\n', "factors[1].colour", "unknown key"),
    ('[[factors]]\nid = "sed"\nweight = 1\n', "factors[1].source", "missing"),
    ('[[factors]]\nsource = "enrollment_share:SED"\nweight = 1\n', "factors[1].id", "missing"),
    ('[[factors]]\nid = "sed"\nsource = "enrollment_share:SED"\n', "factors[1].weight",
     "missing"),
    (FACTOR + FACTOR, "factors[2].id", "duplicate factor id 'sed'"),
    (FACTOR.replace("enrollment_share:SED", "census:income"), "factors[1].source",
     "unknown factor source"),
    (FACTOR.replace("SED", "RICH"), "factors[1].source", "unknown group 'RICH'"),
    (FACTOR.replace("enrollment_share:SED", "cohort_share:EXPELLED"), "factors[1].source",
     "unknown cohort outcome"),
    (FACTOR.replace("enrollment_share:SED", "community:ASTHMA_RATE"), "factors[1].direction",
     "missing for factor 'sed'"),
    (FACTOR.replace("enrollment_share:SED", "cohort_share:GRAD"), "factors[1].direction",
     "missing"),
    (FACTOR + 'direction = "up"\n', "factors[1].direction", "'up' is not one of"),
    (FACTOR.replace("enrollment_share:SED", "indicator:ela_met") + 'direction = "more_need"\n',
     "factors[1].direction", "contradicts indicator 'ela_met'"),
    (FACTOR.replace("weight = 1", "weight = -0.5"), "factors[1].weight", "negative weight"),
    (FACTOR.replace("weight = 1", 'weight = "heavy"'), "factors[1].weight", "must be a number"),
    (FACTOR.replace("weight = 1", "weight = 0"), "factors", "sum to a positive total"),
    ("[index\n", "", "not a valid TOML file"),
]


@pytest.mark.parametrize(("text", "key", "message"), FILE_ERRORS)
def test_spec_file_errors_name_the_file_and_key(tmp_path: Path, text: str, key: str,
                                                message: str) -> None:
    path = _toml(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_spec(path)
    assert str(err.value).startswith(f"{path}: ")
    assert key in str(err.value) and message in str(err.value)


OVERRIDE_ERRORS = [
    ({"weights": {"violence": 1}}, "(overrides): weights.violence", "unknown factor 'violence'"),
    ({"weights": {"sed": -1}}, "(overrides): weights.sed", "negative weight"),
    ({"weights": {"sed": 0, "grade3_reading": 0, "asthma": 0}}, "factors",
     "sum to a positive total"),
    ({"weights": [1, 2, 3]}, "(overrides): weights", "must map factor ids"),
    ({"colour": "red"}, "(overrides)", "unknown key 'colour'"),
    ({"standardize": "t"}, "(overrides): standardize", "is not one of"),
    ({"bands": {"on": "score", "cuts": [1, 2, 3, "4"]}}, "(overrides): bands.cuts",
     "need 4 numbers"),
    ({"factors": "sed"}, "(overrides): factors", "must be [[factors]] tables"),
]


@pytest.mark.parametrize(("overrides", "key", "message"), OVERRIDE_ERRORS)
def test_override_errors_name_the_file_and_key(spec_file: Path, overrides: dict, key: str,
                                               message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_spec(spec_file, overrides)
    assert str(err.value).startswith(f"{spec_file}")
    assert key in str(err.value) and message in str(err.value)


def test_missing_spec_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="need index spec not found"):
        load_spec(tmp_path / "nope.toml")


@pytest.mark.parametrize(("sql", "message"), [
    ("SELECT school_year, school_id FROM community_context", "missing value"),
    ("SELECT * FROM no_such_table", "the SQL failed"),
    ("SELECT 2025 AS school_year, 'S1' AS school_id, 1.0 AS value "
     "UNION ALL SELECT 2025, 'S1', 2.0", "more than one row"),
])
def test_bad_sql_sources_are_config_errors(spec_file: Path, sql: str, message: str) -> None:
    spec = load_spec(spec_file, {"factors": [
        {"id": "custom", "source": sql, "direction": "more_need", "weight": 1}]})
    with pytest.raises(ConfigError) as err:
        need_index(hand_warehouse(), spec)
    assert "factors[1].source" in str(err.value) and message in str(err.value)


# --- a synthetic district, recomputed with pandas -----------------------------------------------

@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("need")
    generate(root / "bundle", students=2000, schools=8, years=3, seed=11)
    db = root / "w.duckdb"
    assert ingest_bundle(root / "bundle", db).exit_code == 0
    run(db, Config())
    return db


def _oracle_raw(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every default factor's raw value (and n) per school and year, from the tables."""
    enr = con.sql("SELECT * FROM enrollments").df()
    enr["school_year"] = enr["school_year"].astype(int)
    flags = {"sed": enr.sed, "el": enr.el_status.eq("EL").where(enr.el_status.notna()),
             "foster": enr.foster, "homeless": enr.homeless, "swd": enr.swd}
    parts = []
    for fid, flag in flags.items():
        g = pd.DataFrame({"school_year": enr.school_year, "school_id": enr.school_id,
                          "member": flag.fillna(False).astype(bool), "known": flag.notna()})
        agg = g.groupby(["school_year", "school_id"]).agg(
            value=("member", "mean"), n=("member", "size"), known=("known", "sum")).reset_index()
        parts.append(agg[agg.known > 0].drop(columns="known").assign(factor=fid))
    ir = con.sql("SELECT * FROM indicator_results").df()
    ir = ir[(ir.entity_type == "school") & (ir.student_group == "ALL")]
    for fid, ind in [("grade3_reading", "grade3_reading_met"),
                     ("grade8_core", "grade8_core_c_or_better"),
                     ("chronic_absence", "chronic_absence_k12"),
                     ("suspension", "suspension_rate")]:
        sub = ir[ir.indicator == ind]
        parts.append(pd.DataFrame({"school_year": sub.school_year.astype(int),
                                   "school_id": sub.entity_id, "value": sub.value,
                                   "n": sub.n, "factor": fid}))
    gc = con.sql("SELECT * FROM graduation_cohorts").df()
    gc["dropout"] = gc.outcome.eq("DROPOUT")
    drop = gc.groupby(["cohort_year", "school_id"]).agg(
        value=("dropout", "mean"), n=("dropout", "size")).reset_index()
    parts.append(drop.rename(columns={"cohort_year": "school_year"}).assign(
        factor="dropout", school_year=lambda d: d.school_year.astype(int)))
    cc = con.sql("SELECT * FROM community_context").df()
    for fid, measure in [("asthma", "ASTHMA_RATE"), ("violence", "VIOLENCE_EXPOSURE"),
                         ("youth_programs", "YOUTH_PROGRAM_ACCESS")]:
        sub = cc[cc.measure == measure].groupby(["school_year", "school_id"]).value.mean()
        parts.append(sub.reset_index().assign(factor=fid, n=np.nan,
                                              school_year=lambda d: d.school_year.astype(int)))
    raw = pd.concat(parts, ignore_index=True)
    universe = enr.groupby(["school_year", "school_id"]).size().rename("n_students")
    return raw.merge(universe.reset_index()[["school_year", "school_id"]])


def _oracle(con: duckdb.DuckDBPyConnection, method: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    spec = tomllib.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))
    meta = pd.DataFrame(spec["factors"])[["id", "direction", "weight"]].rename(
        columns={"id": "factor"})
    meta["weight"] /= meta.weight.sum()
    min_n, min_weight = spec["index"]["min_n"], spec["index"]["min_weight"]
    df = _oracle_raw(con).merge(meta)
    df = df[df.n.isna() | (df.n >= min_n)].copy()
    df = df[df.groupby(["school_year", "factor"]).value.transform("size") >= 2].copy()
    df["need"] = np.where(df.direction == "more_need", df.value, -df.value)
    grouped = df.groupby(["school_year", "factor"]).need
    if method == "z":
        sd = grouped.transform(lambda s: s.std(ddof=0))
        df["std"] = ((df.need - grouped.transform("mean")) / sd).where(sd > 0, 0.0)
    else:
        df["std"] = 100 * (grouped.rank(method="average") - 0.5) / grouped.transform("size")
    share = df.groupby(["school_year", "school_id"]).weight.transform("sum")
    df["eff"] = df.weight / share
    df["contribution"] = df.eff * df["std"]
    idx = df.groupby(["school_year", "school_id"]).agg(
        score=("contribution", "sum"), share=("weight", "sum"),
        used=("factor", "size")).reset_index()
    idx = idx[idx.share >= min_weight - 1e-9].copy()
    by_year = idx.groupby("school_year").score
    idx["rank"] = by_year.rank(ascending=False, method="min").astype(int)
    idx["percentile"] = 100 * (by_year.rank(method="average") - 0.5) / by_year.transform("size")
    idx["band"] = [BANDS[sum(p < c for c in (80, 60, 40, 20))] for p in idx.percentile]
    return idx, df


@pytest.mark.parametrize("method", ["z", "percentile"])
def test_synthetic_district_recomputed_with_pandas(district: Path, method: str) -> None:
    con = duckdb.connect(str(district), read_only=True)
    try:
        result = compute(con, load_spec(None, {"standardize": method}))
        expected, expected_factors = _oracle(con, method)
        n_schools = con.sql("SELECT count(DISTINCT school_id) FROM enrollments").fetchall()[0][0]
    finally:
        con.close()
    got = result.index.to_pandas()
    assert len(got) == 3 * n_schools == 24
    assert got.score.notna().all()  # every school carries enough of the weight
    notes = " ".join(got.note.dropna())
    assert "< 11" in notes and "no other school to compare with" in notes  # rules exercised
    merged = got.merge(expected, on=["school_year", "school_id"], validate="1:1")
    assert len(merged) == len(got)
    np.testing.assert_allclose(merged.score_x, merged.score_y, rtol=1e-12, atol=1e-12)
    assert (merged.rank_x == merged.rank_y).all()
    np.testing.assert_allclose(merged.percentile_x, merged.percentile_y)
    assert (merged.band_x == merged.band_y).all()
    assert (merged.factors_used == merged.used).all()
    factors = result.factors.to_pandas().merge(
        expected_factors, on=["school_year", "school_id", "factor"], validate="1:1")
    assert len(factors) == len(result.factors) == len(expected_factors)
    np.testing.assert_allclose(factors.raw_value, factors.value, rtol=1e-12)
    np.testing.assert_allclose(factors.standardized, factors["std"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(factors.weight_x, factors.eff, rtol=1e-12)
    sums = result.factors.to_pandas().groupby(["school_year", "school_id"]).contribution.apply(
        lambda s: math.fsum(s))
    scores = got.set_index(["school_year", "school_id"]).score
    assert (scores == sums.reindex(scores.index)).all()
    # each year has one school per quintile band at least where 8 schools allow it
    assert set(got.band) == set(BANDS)
    stability = rank_stability(result.index).to_pandas()
    assert stability[["from_year", "to_year"]].values.tolist() == [[2023, 2024], [2024, 2025]]
    for row in stability.itertuples():
        a = got[got.school_year == row.from_year].set_index("school_id").score
        b = got[got.school_year == row.to_year].set_index("school_id").score
        common = a.index.intersection(b.index)
        assert row.n == len(common)
        assert row.spearman == pytest.approx(stats.spearmanr(a[common], b[common]).statistic)
        assert row.ci_low < row.spearman < row.ci_high


def test_enrollment_shares_agree_with_the_indicator_groups(district: Path) -> None:
    # The suspension rate's universe is every enrollment row (TRUE), so its n by group at a
    # school counts the same students as the index's enrollment shares.
    con = duckdb.connect(str(district), read_only=True)
    try:
        ir = con.sql("SELECT school_year, entity_id AS school_id, student_group, n "
                     "FROM indicator_results WHERE entity_type = 'school' "
                     "AND indicator = 'suspension_rate'").df()
        factors = need_factors(con)
        index = need_index(con)
    finally:
        con.close()
    n = ir.pivot_table(index=["school_year", "school_id"], columns="student_group", values="n")
    shares = factors.to_pandas().pivot_table(index=["school_year", "school_id"],
                                             columns="factor", values="raw_value")
    for fid, group in [("sed", "SED"), ("el", "EL"), ("swd", "SWD"), ("foster", "FOS"),
                       ("homeless", "HOM")]:
        expected = (n[group].fillna(0) / n["ALL"]).reindex(shares.index)
        np.testing.assert_allclose(shares[fid], expected, rtol=1e-12)
    students = index.to_pandas().set_index(["school_year", "school_id"]).n_students
    assert (students.reindex(n.index) == n["ALL"]).all()
