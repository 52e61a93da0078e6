"""Allocation scenarios (gapwatch.resources.allocate, gapwatch.resources.allocation_rules).

A hand-built district of 4 schools (100, 200, 300 and 400 pupils on census day) where every
allocation is worked out to the cent in the comments; the rules' errors; the progressivity each
rule achieves; and, on a synthetic district, the census counts against the LCFF and staffing
modules.
"""

from __future__ import annotations

import doctest
import math
import random
from decimal import Decimal

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from gapwatch.ingest import ingest_bundle
from gapwatch.resources import allocate as allocate_module
from gapwatch.resources import allocation_rules
from gapwatch.resources.allocate import (
    allocate,
    allocation_base,
    largest_remainder,
    parse_rule,
)
from gapwatch.resources.allocation_rules import DEFAULT_BAND_WEIGHTS, EXPRESSION_COLUMNS, Rule
from gapwatch.resources.lcff import school_lcff
from gapwatch.resources.staffing import staffing_by_school
from gapwatch.synth import generate

MILLION = 1_000_000
IDS = ["S1", "S2", "S3", "S4"]


def test_doctests() -> None:
    assert doctest.testmod(allocate_module).failed == 0
    assert doctest.testmod(allocation_rules).failed == 0


# ---------------------------------------------------------------------------------------------
# The hand-built district (school year 2025, census day Wednesday 2024-10-02)
# ---------------------------------------------------------------------------------------------
# S1: 100 pupils, 10 EL                                   -> unduplicated 10
# S2: 200 pupils, 30 EL, 30 other FRPM                    -> 60
# S3: 300 pupils, 100 FRPM (20 of them also EL: counted once), 50 foster -> 150
# S4: 400 pupils, 320 with FRPM unknown but SED (SED stands in for FRPM, as lcff.py) -> 320;
#     40 SWD. S4 also has an EL who left on 2024-09-20 and one who arrived on 2024-11-04:
#     neither is on the rolls on census day.

def _students() -> list[tuple]:
    rows: list[tuple] = []

    def add(school: str, k: int, el: str = "EO", frpm: bool | None = False, sed: bool = False,
            foster: bool = False, swd: bool = False, entry: str = "2024-08-15",
            exit_: str | None = None) -> None:
        for _ in range(k):
            rows.append((2025, f"P{len(rows):04d}", school, 3, entry, exit_, el, frpm, sed,
                         foster, swd, False))

    add("S1", 10, el="EL")
    add("S1", 90)
    add("S2", 30, el="EL")
    add("S2", 30, frpm=True, sed=True)
    add("S2", 140)
    add("S3", 20, el="EL", frpm=True)
    add("S3", 80, frpm=True)
    add("S3", 50, foster=True)
    add("S3", 150)
    add("S4", 320, frpm=None, sed=True)
    add("S4", 40, swd=True)
    add("S4", 40)
    add("S4", 1, el="EL", exit_="2024-09-20")
    add("S4", 1, el="EL", entry="2024-11-04")
    return rows


def district() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.sql("CREATE TABLE schools (school_id VARCHAR, school_name VARCHAR)")
    con.executemany("INSERT INTO schools VALUES (?, ?)", [(s, f"School {s}") for s in IDS])
    columns = ["school_year", "student_id", "school_id", "grade", "entry_date", "exit_date",
               "el_status", "frpm", "sed", "foster", "swd", "homeless"]
    rows = pa.Table.from_pylist([dict(zip(columns, r, strict=True)) for r in _students()])
    con.from_arrow(rows).create("raw")
    con.sql("CREATE TABLE enrollments AS SELECT * REPLACE (CAST(school_year AS SMALLINT) AS "
            "school_year, CAST(entry_date AS DATE) AS entry_date, CAST(exit_date AS DATE) AS "
            "exit_date) FROM raw")
    con.sql("DROP TABLE raw")
    return con


def index(bands: list[str | None] | None = None, scores: list[float | None] | None = None,
          year: int = 2025) -> pa.Table:
    """Need scores -0.5, -0.25, 0.25, 0.5; bands Lowest, Lowest, Highest, Highest."""
    return pa.table({
        "school_year": [year] * 4, "school_id": IDS,
        "score": scores or [-0.5, -0.25, 0.25, 0.5],
        "rank": [4, 3, 2, 1], "percentile": [12.5, 37.5, 62.5, 87.5],
        "band": bands or ["Lowest", "Lowest", "Highest", "Highest"]})


def run(*rules: str, amount: float = MILLION, idx: pa.Table | None = None
        ) -> tuple[dict[str, list[Decimal]], dict[str, dict]]:
    """Allocations by rule (in IDS order) and the progressivity row of each rule."""
    schools, result = allocate(district(), amount, [parse_rule(r) for r in rules],
                               index=idx if idx is not None else index())
    by_rule: dict[str, list[Decimal]] = {}
    for r in schools.to_pylist():
        by_rule.setdefault(r["rule"], []).append(r["allocation"])
    return by_rule, {r["rule"]: r for r in result.to_pylist()}


def test_census_counts_by_hand() -> None:
    base = {r["school_id"]: r for r in allocation_base(district(), 2025, index()).to_pylist()}
    assert [base[s]["enrollment"] for s in IDS] == [100, 200, 300, 400]
    assert [base[s]["unduplicated"] for s in IDS] == [10, 60, 150, 320]
    assert [base[s]["el"] for s in IDS] == [10, 30, 20, 0]
    assert [base[s]["sed"] for s in IDS] == [0, 30, 0, 320]
    assert [base[s]["swd"] for s in IDS] == [0, 0, 0, 40]
    assert [base[s]["foster"] for s in IDS] == [0, 0, 50, 0]
    assert [base[s]["upp"] for s in IDS] == [0.1, 0.3, 0.5, 0.8]
    assert base["S3"]["band"] == "Highest" and base["S3"]["need_score"] == 0.25
    assert set(allocation_base(district(), 2025, index()).column_names) == set(
        EXPRESSION_COLUMNS)


def test_flat_per_pupil() -> None:
    # $1,000,000 over 100/200/300/400 pupils = $1,000 per pupil everywhere.
    schools, _ = allocate(district(), MILLION, [parse_rule("flat")], index=index())
    rows = schools.to_pylist()
    assert [r["allocation"] for r in rows] == [Decimal(v) for v in
                                               ("100000.00", "200000.00", "300000.00",
                                                "400000.00")]
    assert [r["weight"] for r in rows] == [100, 200, 300, 400]
    assert [r["per_pupil"] for r in rows] == [1000.0] * 4
    assert schools.schema.field("allocation").type == pa.decimal128(18, 2)
    assert schools.column_names == ["school_year", "school_id", "school_name", "band",
                                    "need_score", "enrollment", "unduplicated", "rule",
                                    "weight", "allocation", "per_pupil"]


def test_need_band_largest_remainder_to_the_cent() -> None:
    # Weights 100 x 0.7 = 70, 200 x 0.7 = 140, 300 x 1.5 = 450, 400 x 1.5 = 600; total 1,260.
    # Exact shares in cents: 5,555,555.56 / 11,111,111.11 / 35,714,285.71 / 47,619,047.62
    # (remainders .556, .111, .714, .619); floors add up to 99,999,998: the 2 cents left go to
    # the largest remainders, S3 (.714) and S4 (.619). Rounding each share to the nearest cent
    # instead would hand out $1,000,000.01.
    by_rule, _ = run("need_band")
    assert by_rule["need_band"] == [Decimal("55555.55"), Decimal("111111.11"),
                                    Decimal("357142.86"), Decimal("476190.48")]
    assert sum(by_rule["need_band"]) == Decimal("1000000.00")
    naive = sum(round(Decimal(MILLION) * w / 1260, 2) for w in (70, 140, 450, 600))
    assert naive == Decimal("1000000.01")


def test_need_band_overrides() -> None:
    # Bands Lowest, Low, High, Highest with Highest=2, High=1.5, Low=0.5, Lowest=0.25 (Moderate
    # keeps 1.0): weights 25, 100, 450, 800; total 1,375. Cents 1,818,181.82 / 7,272,727.27 /
    # 32,727,272.73 / 58,181,818.18 (remainders .818, .273, .727, .182): S1 and S3 get the 2
    # cents left.
    rule = "need_band:Highest=2,High=1.5,Low=0.5,Lowest=0.25"
    by_rule, _ = run(rule, idx=index(["Lowest", "Low", "High", "Highest"]))
    name = "need_band:Highest=2,High=1.5,Moderate=1,Low=0.5,Lowest=0.25"
    assert by_rule[name] == [Decimal("18181.82"), Decimal("72727.27"), Decimal("327272.73"),
                             Decimal("581818.18")]
    # The default weights on those bands: 70, 170, 375, 600 (total 1,215).
    by_rule, _ = run("need_band", idx=index(["Lowest", "Low", "High", "Highest"]))
    cents = [int(v * 100) for v in by_rule["need_band"]]
    assert cents == largest_remainder(100 * MILLION, [70, 170, 375, 600], IDS)
    assert sum(cents) == 100 * MILLION


def test_unduplicated() -> None:
    # Weights 10, 60, 150, 320 (total 540). Cents 1,851,851.85 / 11,111,111.11 /
    # 27,777,777.78 / 59,259,259.26 (remainders .852, .111, .778, .259): S1 and S3 get a cent.
    by_rule, _ = run("unduplicated")
    assert by_rule["unduplicated"] == [Decimal("18518.52"), Decimal("111111.11"),
                                       Decimal("277777.78"), Decimal("592592.59")]


def test_expression_rule() -> None:
    # enrollment x (1 + need_score): 100 x 0.5 = 50, 200 x 0.75 = 150, 300 x 1.25 = 375,
    # 400 x 1.5 = 600; total 1,175. Cents 4,255,319.15 / 12,765,957.45 / 31,914,893.62 /
    # 51,063,829.79 (remainders .149, .447, .617, .787): S3 and S4 get a cent.
    by_rule, _ = run("expr:enrollment * (1 + need_score)")
    assert by_rule["expr:enrollment * (1 + need_score)"] == [
        Decimal("42553.19"), Decimal("127659.57"), Decimal("319148.94"), Decimal("510638.30")]
    # Group counts and text columns work too: 1 per pupil + 2 per EL = 120, 260, 340, 400.
    by_rule, _ = run("expr:enrollment + 2 * el", amount=112)
    assert by_rule["expr:enrollment + 2 * el"] == [Decimal(v) for v in ("12", "26", "34", "40")]
    by_rule, _ = run("expr:CASE WHEN band = 'Highest' THEN enrollment ELSE 0 END", amount=7)
    assert list(by_rule.values())[0] == [Decimal("0")] * 2 + [Decimal("3"), Decimal("4")]


@pytest.mark.parametrize(("rule", "message"), [
    ("expr:enrollment * bogus", r"rule 'expr:enrollment \* bogus': the expression failed: "
                                r'.*column "bogus" not found'),
    ("expr:enrollment * need_score", r"rule 'expr:enrollment \* need_score': school\(s\) "
                                     r"S1 \(-50\), S2 \(-50\) get a negative weight"),
    ("expr:CASE WHEN band = 'Highest' THEN 1 END", r"school\(s\) S1, S2 get a NULL weight"),
    ("expr:'abc'", "the expression failed"),
    ("expr:0", "the weights add up to 0"),
    ("expr:1 / 0 * enrollment", "expression failed|infinite|NULL"),
    ("expr:(SELECT count(*) FROM enrollments)", "the expression failed"),  # sees only schools
    ("expr:(SELECT count(*) FROM read_csv('/etc/hostname'))", "the expression failed"),
])
def test_expression_errors(rule: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        allocate(district(), MILLION, [parse_rule(rule)], index=index())


@pytest.mark.parametrize(("text", "message"), [
    ("bogus", "unknown rule 'bogus' .known: flat, need_band"),
    ("flat:2", "unknown rule 'flat:2'"),
    ("expr:", "empty expression"),
    ("expr:   ", "empty expression"),
    ("need_band:Top=2", "unknown band 'Top' .bands: Highest, High, Moderate, Low, Lowest"),
    ("need_band:Highest", "expected Band=weight, got 'Highest'"),
    ("need_band:Highest=abc", "weight of Highest is not a number: 'abc'"),
    ("need_band:Highest=-1", "weight of Highest must be 0 or more"),
    ("need_band:Highest=nan", "weight of Highest must be 0 or more"),
])
def test_parse_rule_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rule(text)


def test_parse_rule() -> None:
    assert parse_rule(" FLAT ") == Rule("flat", "flat")
    assert parse_rule("unduplicated") == Rule("unduplicated", "unduplicated")
    default = parse_rule("need_band")
    assert default.name == "need_band" and dict(default.band_weights) == DEFAULT_BAND_WEIGHTS
    assert DEFAULT_BAND_WEIGHTS == {"Highest": 1.5, "High": 1.25, "Moderate": 1.0, "Low": 0.85,
                                    "Lowest": 0.7}
    custom = parse_rule("need_band: lowest = 0.5 , Highest=2")
    assert dict(custom.band_weights) == {"Highest": 2.0, "High": 1.25, "Moderate": 1.0,
                                         "Low": 0.85, "Lowest": 0.5}
    assert custom.name == "need_band:Highest=2,High=1.25,Moderate=1,Low=0.85,Lowest=0.5"
    assert parse_rule("expr:a:b").expression == "a:b"


def test_progressivity_of_each_rule() -> None:
    _, result = run("flat", "need_band", "unduplicated", "expr:enrollment * (1 + need_score)")
    flat, band = result["flat"], result["need_band"]
    # Flat: $1,000 per pupil everywhere: slope 0, no rank correlation, ratio exactly 1.
    assert (flat["slope"], flat["slope_se"], flat["spearman"]) == (0.0, 0.0, None)
    assert (flat["highest_lowest_ratio"], flat["ratio_ci_low"], flat["ratio_ci_high"]) == (
        1.0, 1.0, 1.0)
    assert flat["progressive"] == "flat / within noise" and flat["amount"] == Decimal(MILLION)
    # Need band: Highest pupils get 1.5 x 1e6 / 1,260 = $1,190.48, Lowest 0.7 x 1e6 / 1,260 =
    # $555.56: ratio 1.5 / 0.7 = 2.142857, the same in every school of a band (interval of
    # width 0): progressive. Slope per SD of need: the scores -0.5, -0.25, 0.25, 0.5 have
    # population SD 0.3953; cov(score, per pupil) = 0.75 x (1,190.48 - 555.56) / 4 = 119.05;
    # slope = 119.05 / 0.3953 = 301.17 dollars per pupil per SD.
    assert band["highest_value"] == pytest.approx(1.5e6 / 1260)
    assert band["lowest_value"] == pytest.approx(0.7e6 / 1260)
    assert band["highest_lowest_ratio"] == pytest.approx(1.5 / 0.7)
    assert band["ratio_ci_low"] == band["ratio_ci_high"] == pytest.approx(1.5 / 0.7)
    assert band["progressive"] == "progressive"
    score = np.array([-0.5, -0.25, 0.25, 0.5])
    per_pupil = np.array([0.7, 0.7, 1.5, 1.5]) * 1e6 / 1260
    assert band["slope"] == pytest.approx(np.cov(score, per_pupil, bias=True)[0, 1]
                                          / score.std())
    assert band["slope"] == pytest.approx(301.17, abs=0.01)
    # Spearman: centered ranks of need -1.5, -0.5, 0.5, 1.5 and of per pupil (ties share)
    # -1, -1, 1, 1: 4 / sqrt(5 x 4) = 0.8944.
    assert band["spearman"] == pytest.approx(4 / math.sqrt(20))
    assert band["slope"] > flat["slope"] and band["highest_lowest_ratio"] > 1
    # Unduplicated: per pupil 0.1, 0.3, 0.5, 0.8 x 1e6 / 540; pooled Highest (150 + 320) / 700
    # over Lowest (10 + 60) / 300 = 0.6714 / 0.2333 = 2.8776, varying within both bands.
    und = result["unduplicated"]
    assert und["highest_lowest_ratio"] == pytest.approx((470 / 700) / (70 / 300))
    assert und["spearman"] == pytest.approx(1.0)
    assert und["ratio_ci_low"] < und["highest_lowest_ratio"] < und["ratio_ci_high"]
    # Expression: (375 + 600) / 700 over (50 + 150) / 300 = 2.0893.
    assert result["expr:enrollment * (1 + need_score)"]["highest_lowest_ratio"] == \
        pytest.approx((975 / 700) / (200 / 300))


def test_amount_and_rule_checks() -> None:
    con, idx, flat = district(), index(), [parse_rule("flat")]
    for bad in (0, -5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="amount must be a positive number"):
            allocate(con, bad, flat, index=idx)
    with pytest.raises(ValueError, match="no allocation rules"):
        allocate(con, 10, [], index=idx)
    with pytest.raises(ValueError, match="more than once: flat"):
        allocate(con, 10, flat * 2, index=idx)
    with pytest.raises(ValueError, match="no need index rows for 2019"):
        allocate(con, 10, flat, year=2019, index=idx)
    # Half a cent rounds up: $1,000.005 -> $1,000.01 (100,001 cents: S4 gets the odd cent).
    schools, result = allocate(con, 1000.005, flat, index=idx)
    assert result.column("amount")[0].as_py() == Decimal("1000.01")
    assert [r["allocation"] for r in schools.to_pylist()] == [
        Decimal("100.00"), Decimal("200.00"), Decimal("300.00"), Decimal("400.01")]


def test_default_year_and_unscored_schools() -> None:
    # 2024 rows (no enrollments that year, so no pupils) are scored; 2025 has S4 unscored.
    idx = pa.concat_tables([index(year=2024), index(
        ["Lowest", "Lowest", "Highest", None], [-0.5, -0.25, 0.25, None])])
    schools, result = allocate(district(), MILLION, [parse_rule("flat")], index=idx)
    assert set(schools.column("school_year").to_pylist()) == {2025}  # latest with a score
    assert schools.column("allocation").to_pylist()[-1] == Decimal("400000.00")
    row = result.to_pylist()[0]
    assert row["schools"] == 3 and "1 school(s) without a need score" in row["note"]
    with pytest.raises(ValueError, match=r"school\(s\) S4 have no need band"):
        allocate(district(), MILLION, [parse_rule("need_band")], index=idx)
    unscored = index([None] * 4, [None] * 4)
    unscored = unscored.set_column(2, "score", pa.array([None] * 4, pa.float64()))
    with pytest.raises(ValueError, match="no school year with a need score"):
        allocate(district(), MILLION, [parse_rule("flat")], index=unscored)


def test_largest_remainder_always_adds_up() -> None:
    rng = random.Random(3)
    for _ in range(200):
        n = rng.randint(1, 12)
        weights = [rng.choice([0.0, rng.random(), rng.randint(1, 9)]) for _ in range(n)]
        weights[rng.randrange(n)] = 1.5  # at least one positive weight
        cents = rng.randint(0, 10**9)
        parts = largest_remainder(cents, weights, [f"k{i}" for i in range(n)])
        assert sum(parts) == cents and min(parts) >= 0
        exact = [cents * w / sum(weights) for w in weights]
        assert all(abs(p - e) < 1 for p, e in zip(parts, exact, strict=True))


def test_synthetic_counts_agree_with_lcff_and_staffing(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("allocate")
    generate(root / "bundle", students=2000, schools=8, years=3, seed=5)
    assert ingest_bundle(root / "bundle", root / "w.duckdb",
                         rejects_path=root / "rejects.csv").exit_code == 0
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    lcff = {(r["school_year"], r["school_id"]): r for r in school_lcff(con).to_pylist()}
    staffing = {(r["school_year"], r["school_id"]): r["enrolled_census"]
                for r in staffing_by_school(con).to_pylist()}
    ids = sorted({s for _, s in lcff})
    for year in (2023, 2024, 2025):
        upp = [lcff[(year, s)]["upp"] for s in ids]
        idx = pa.table({"school_year": [year] * len(ids), "school_id": ids, "score": upp,
                        "band": ["Highest" if u >= np.quantile(upp, 0.75) else "Lowest"
                                 if u <= np.quantile(upp, 0.25) else "Moderate" for u in upp]})
        base = allocation_base(con, year, idx).to_pylist()
        for r in base:
            key = (year, r["school_id"])
            assert r["enrollment"] == lcff[key]["enrollment"] == staffing[key]
            assert r["unduplicated"] == lcff[key]["unduplicated"]
        schools, result = allocate(con, 2_500_000.55, [parse_rule("flat"),
                                                       parse_rule("unduplicated")], index=idx)
        for rule in ("flat", "unduplicated"):
            got = [r["allocation"] for r in schools.to_pylist() if r["rule"] == rule]
            assert sum(got) == Decimal("2500000.55")
        # Allocating by unduplicated pupils follows the UPP used as the need score here.
        assert result.to_pylist()[1]["spearman"] == pytest.approx(1.0)
    con.close()
