"""The model files: headers, the dependency graph, and the same rows as the f-string SQL they
replaced (``legacy_views``, a frozen copy) on synthetic and hand-written districts."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import duckdb
import pytest
import sqlglot
from legacy_views import ViewOptions as LegacyOptions
from legacy_views import cohort_ctes as legacy_cohort
from legacy_views import student_year_ctes as legacy_student_year
from test_indicator_oracle import add_edge_cases

from gapwatch.indicators.elpi import load_reference
from gapwatch.indicators.engines import to_spark_sql
from gapwatch.indicators.view_columns import COHORT_COLUMNS, STUDENT_YEAR_COLUMNS
from gapwatch.indicators.views import ViewOptions, cohort_ctes, student_year_ctes, views_sql
from gapwatch.ingest import ingest_bundle
from gapwatch.models import Model, ModelError, models, order, output_columns, upstream
from gapwatch.models.docs import render_model_graph, with_model_graph
from gapwatch.models.graph import read_model
from gapwatch.models.model import parse_header, parse_sql
from gapwatch.models.render import render_model, split_helpers
from gapwatch.synth import generate

from minibundle import write_minibundle

DEFAULTS = ViewOptions((2024, 2025)).parameters()
MODELS = sorted(models())


# -- headers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", MODELS)
def test_every_model_has_a_header_and_describes_each_column(name: str) -> None:
    model = models()[name]
    assert model.file == f"{name}.sql"
    assert model.grain and model.description
    made = output_columns(parse_sql(render_model(model, DEFAULTS), model.file))
    assert len(made) == len(set(made)), f"{name}: a column is made twice"
    assert made == list(model.columns), f"{name}: the header's columns differ from the SELECT's"
    assert all(model.columns.values()), f"{name}: a column without a description"


def _documented(columns: dict[str, str]) -> set[str]:
    return {c.strip() for key in columns for c in key.split(",")}


def test_the_views_documented_columns_are_the_models_columns() -> None:
    assert _documented(STUDENT_YEAR_COLUMNS) == set(models()["student_year"].columns)
    assert _documented(COHORT_COLUMNS) == set(models()["cohort"].columns)


def test_header_entries_continue_on_indented_lines() -> None:
    keys, columns, sql = parse_header(
        "-- name: x\n-- grain: one row\n--   per student\n-- description: d\n-- columns:\n"
        "--   a: first\n--     continued\n--   b: second\nSELECT 1 AS a, 2 AS b\n", "x.sql")
    assert keys == {"name": "x", "grain": "one row per student", "description": "d"}
    assert columns == {"a": "first continued", "b": "second"}
    assert sql.startswith("SELECT 1")


@pytest.mark.parametrize(("text", "message"), [
    ("-- name: x\n-- description: d\nSELECT 1\n", "lacks grain"),
    ("-- name: x\n-- name: y\n-- grain: g\n-- description: d\nSELECT 1\n", "given twice"),
    ("-- name: x\n-- grain: g\n-- description: d\n--\tbad\nSELECT 1\n", "not a header entry"),
])
def test_a_bad_header_is_an_error(text: str, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        parse_header(text, "x.sql")


def test_the_file_is_named_after_the_model() -> None:
    with pytest.raises(ModelError, match="must be y.sql"):
        read_model("-- name: y\n-- grain: g\n-- description: d\nSELECT 1 AS a\n", "x.sql")


# -- the graph -------------------------------------------------------------------------------

def _model(name: str, *depends_on: str, helpers: tuple[str, ...] = ()) -> Model:
    return Model(name, "g", "d", {}, f"{name}.sql", "", depends_on, helpers)


def test_dependencies_are_read_from_the_sql() -> None:
    found = models()
    assert found["school_rows"].depends_on == (
        "ag_cumulative", "discipline_school", "elpac_pick", "enr", "hs_history", "marks_school",
        "sbac_school", "t_students")
    assert found["student_year"].helpers == ("student_year_scored",)
    assert "student_year_scored" not in found["student_year"].depends_on
    assert upstream(["cohort"]) == {"cohort", "cohort_status", "school_entities",
                                    "student_status", "years"}


def test_the_order_puts_every_model_after_what_it_reads() -> None:
    names = list(models())
    assert sorted(names) == MODELS
    for i, name in enumerate(names):
        assert all(d not in models() or names.index(d) < i for d in models()[name].depends_on)
    assert names[-1] in ("student_year", "cohort")


def test_a_cycle_an_unknown_table_or_a_step_defined_twice_is_an_error() -> None:
    with pytest.raises(ModelError, match="cycle"):
        order({"a": _model("a", "b"), "b": _model("b", "a")})
    with pytest.raises(ModelError, match="unknown tables nowhere"):
        order({"a": _model("a", "nowhere", "t_students")})
    with pytest.raises(ModelError, match="also defined"):
        order({"a": _model("a", helpers=("h",)), "b": _model("b", helpers=("h",))})


def test_helpers_are_cut_from_the_text_as_written() -> None:
    sql = "WITH a AS (SELECT (1) -- one\n), b AS (SELECT 2) SELECT * FROM a, b"
    assert split_helpers(sql) == ([("a", "(SELECT (1) -- one\n)"), ("b", "(SELECT 2)")],
                                  "SELECT * FROM a, b")
    assert split_helpers("SELECT 1") == ([], "SELECT 1")


def test_the_views_translate_to_spark() -> None:
    spark = to_spark_sql(views_sql({"schools", "students", "enrollments"}, ViewOptions((2025,)))
                         + " SELECT * FROM student_year")
    assert "student_year AS (" in spark and "MAX_BY" in spark.upper()
    assert sqlglot.parse_one(spark, read="spark") is not None


# -- the same rows as before -----------------------------------------------------------------

@pytest.fixture(scope="module")
def districts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Warehouses: a synthetic district, the same with the oracle's edge cases, the mini
    bundle with attendance_daily."""
    root = tmp_path_factory.mktemp("models")
    generate(root / "synth", students=1500, schools=10, years=3, seed=7)
    shutil.copytree(root / "synth", root / "edge")
    add_edge_cases(root / "edge")
    bundles = {"synthetic": root / "synth", "edge": root / "edge",
               "mini": write_minibundle(root / "mini", attendance=True)}
    out = {}
    for name, bundle in bundles.items():
        db = root / f"{name}.duckdb"
        report = ingest_bundle(bundle, db, rejects_path=root / f"{name}.rejects.csv")
        assert report.exit_code == 0, report.verdict()
        out[name] = db
    return out


def _same_rows(con: duckdb.DuckDBPyConnection, old: str, new: str, view: str) -> int:
    """Rows of ``view`` (asserting the same columns, types and rows both ways); the count."""
    assert (con.sql(f"DESCRIBE {old} SELECT * FROM {view}").fetchall()
            == con.sql(f"DESCRIBE {new} SELECT * FROM {view}").fetchall())
    (only_old, only_new, n), = con.sql(
        f"WITH o AS ({old} SELECT * FROM {view}), n AS ({new} SELECT * FROM {view}) SELECT "
        "(SELECT count(*) FROM (SELECT * FROM o EXCEPT ALL SELECT * FROM n)), "
        "(SELECT count(*) FROM (SELECT * FROM n EXCEPT ALL SELECT * FROM o)), "
        "(SELECT count(*) FROM o)").fetchall()
    assert (only_old, only_new) == (0, 0), f"{view}: rows differ"
    return n


ELPI_2026 = dataclasses.replace(load_reference(), splits={4: (1490, 1525)}, split_rule="given",
                                alternate_from=2026, alternate_top_level=3)


@pytest.mark.parametrize("district", ["synthetic", "edge", "mini"])
@pytest.mark.parametrize("tables", ["all", "core"])
def test_the_views_give_the_rows_of_the_fstring_sql(districts: dict[str, Path], district: str,
                                                     tables: str) -> None:
    with duckdb.connect(str(districts[district]), read_only=True) as con:
        present = {r[0] for r in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
        if tables == "core":  # the optional tables absent: empty stand-ins
            present &= {"schools", "students", "enrollments"}
        years = tuple(r[0] for r in con.sql(
            "SELECT DISTINCT school_year FROM enrollments ORDER BY 1").fetchall())
        counts = []
        for option_years, elpi in ((years, load_reference()), (years[-1:], ELPI_2026), ((), None)):
            old = LegacyOptions(option_years, elpi or load_reference())
            new = ViewOptions(option_years, elpi or load_reference())
            counts.append(_same_rows(con, legacy_student_year(present, old),
                                     student_year_ctes(present, new), "student_year"))
            _same_rows(con, legacy_cohort(present, old), cohort_ctes(present, new), "cohort")
        assert counts[0] > 0  # a real comparison, not two empty views


def test_architecture_doc_model_graph_is_current() -> None:
    text = Path(__file__).parents[1].joinpath("docs", "architecture.md").read_text("utf-8")
    assert with_model_graph(text) == text, (
        "docs/architecture.md's model graph is out of date: run "
        "`gapwatch docs models --out docs/architecture.md`")


def test_the_model_graph_doc_has_a_row_and_edges_per_model() -> None:
    doc = render_model_graph()
    assert all(f"| `{name}` |" in doc for name in MODELS)
    assert "graph LR" in doc and "    entity_rows --> student_year" in doc
