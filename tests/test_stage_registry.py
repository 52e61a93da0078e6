"""The stage registry: its order follows its needs, every table a run writes is declared once,
confidential tables are never exported, and a stage without its inputs is skipped and recorded
while the rest runs."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from gapwatch.config import Config
from gapwatch.contract.tables import TABLES
from gapwatch.earlywarning.stage import AGGREGATE, CONFIDENTIAL
from gapwatch.export import EXPORTS, LAYOUTS
from gapwatch.ingest import ingest_bundle
from gapwatch.runner import run_all, run_stages, slowest
from gapwatch.stages import EARLY_WARNING, RUN, STAGES, Audience, Context, Stage, exported_tables
from gapwatch.stages.docs import render_stages_table, with_stages_table
from gapwatch.synth import generate
from gapwatch.warehouse import writing

CONTRACT = {t.name for t in TABLES}
ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
#: the files `gapwatch export` wrote before the registry (stems, in order): unchanged
EXPORTED_BEFORE = [
    "indicator_results", "gaps", "gap_trends", "dashboard", "equity_report", "support",
    "goals_progress", "need_index", "need_factors", "need_index_stability", "lcff",
    "lcff_district", "staffing", "staffing_by_band", "staffing_gap", "progressivity",
    "progressivity_by_school", "run_status"]


def _tables(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stages") / "bundle"
    generate(folder, students=600, schools=4, years=2, seed=3)
    return folder


def _ingest(bundle: Path, root: Path, *, without: tuple[str, ...] = ()) -> Path:
    copy, db = root / "bundle", root / "w.duckdb"
    shutil.copytree(bundle, copy)
    for name in without:
        (copy / name).unlink()
    assert ingest_bundle(copy, db, rejects_path=root / "rejects.csv").exit_code == 0
    return db


def _run_status(db: Path) -> set[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.sql("SELECT stage, measure, status, results, defined, reason "
                           "FROM run_status").fetchall())


# --- the registry itself ------------------------------------------------------------------------

def test_order_follows_needs() -> None:
    """Each table a stage needs or reads is a contract input or made by an earlier stage."""
    for selection in (STAGES, RUN, EARLY_WARNING):
        made: set[str] = set()
        for stage in selection:
            inputs = set(stage.needs) | set(stage.uses)
            assert inputs <= CONTRACT | made, (stage.name, inputs - CONTRACT - made)
            made |= set(stage.produces)


def test_each_table_has_one_producer_and_no_contract_table_is_produced() -> None:
    produced = Counter(t for s in STAGES for t in s.produces)
    assert [t for t, n in produced.items() if n > 1] == []
    assert not set(produced) & CONTRACT
    assert len({s.name for s in STAGES}) == len(STAGES)
    for s in STAGES:
        assert set(s.internal) | set(s.aggregates) <= set(s.produces), s.name
        assert s.audience in Audience


def test_selections() -> None:
    assert [s.name for s in RUN] == [
        "indicators", "gaps", "gap_trends", "dashboard", "equity_report", "support", "goals",
        "need_index", "lcff", "staffing", "progressivity", "run_status"]
    assert [s.name for s in EARLY_WARNING] == ["early_warning"]


# --- audience and the export list ---------------------------------------------------------------

def test_student_level_tables_are_confidential_and_never_exported() -> None:
    (early,) = EARLY_WARNING
    assert {early.audience_of(t) for t in CONFIDENTIAL} == {Audience.CONFIDENTIAL}
    assert {early.audience_of(t) for t in AGGREGATE} == {Audience.STAFF}
    confidential = {t for s in STAGES for t in s.produces
                    if s.audience_of(t) is Audience.CONFIDENTIAL}
    assert set(CONFIDENTIAL) <= confidential
    assert not confidential & {e.table for e in EXPORTS}
    # even when the early-warning stage is among the stages exported, only its aggregates are
    everything = exported_tables(STAGES)
    assert not confidential & set(everything)
    assert set(AGGREGATE) <= set(everything)


def test_a_confidential_stage_added_to_the_run_is_not_exported() -> None:
    secret = Stage("secret", "student list", ("students",), ("student_list", "list_summary"),
                   Audience.CONFIDENTIAL, lambda ctx: {}, aggregates=("list_summary",))
    assert exported_tables((*RUN, secret)) == [*exported_tables(), "list_summary"]


def test_export_list_is_derived_and_unchanged() -> None:
    assert [e.stem for e in EXPORTS] == exported_tables() == EXPORTED_BEFORE
    assert set(LAYOUTS) == set(exported_tables()), "every exported table needs a file layout"
    internal = {t for s in RUN for t in s.internal}
    assert internal == {"indicator_status", "methods_used", "resources_status"}
    assert not internal & set(exported_tables())


# --- on a real synthetic district ---------------------------------------------------------------

def test_every_table_a_run_writes_is_declared_by_one_stage(bundle: Path, tmp_path: Path) -> None:
    db = _ingest(bundle, tmp_path)
    before = _tables(db)
    assert run_all(db, Config()) == 0
    written = _tables(db) - before
    assert written == {t for s in RUN for t in s.produces}
    with writing(db) as con:
        ctx = Context(con, Config())
        (outcome,) = run_stages(ctx, EARLY_WARNING)
    assert outcome.ran and set(outcome.counts) <= set(outcome.stage.produces)
    early = _tables(db) - before - written
    assert set(CONFIDENTIAL) <= early <= set(outcome.stage.produces)
    assert ctx.outputs["early_warning"].tables.keys() == early
    assert not any(row[2] != "computed" and row[5].startswith("needs ")
                   for row in _run_status(db)), "no stage of a full district is skipped"


def test_missing_contract_table_skips_its_stage_and_the_rest_runs(bundle: Path,
                                                                 tmp_path: Path) -> None:
    db = _ingest(bundle, tmp_path, without=("staff.csv", "sections.csv"))
    assert run_all(db, Config()) == 0
    assert ("resources", "staffing", "not computed", 0, 0, "needs staff") in _run_status(db)
    have = _tables(db)
    assert not have & {"staffing", "staffing_by_band", "staffing_gap"}
    assert {"need_index", "lcff", "progressivity", "gaps", "support"} <= have


def test_missing_earlier_results_skip_every_stage_that_needs_them(bundle: Path,
                                                                 tmp_path: Path) -> None:
    """Without the indicators stage, each stage that needs its results (directly or through
    another stage) is skipped with the table it lacks; lcff and staffing still run."""
    db = _ingest(bundle, tmp_path)
    with writing(db) as con:
        ctx = Context(con, Config())
        outcomes = run_stages(ctx, [s for s in RUN if s.name != "indicators"])
    skipped = {o.stage.name: o.skipped for o in outcomes if o.skipped}
    assert all(o.seconds == 0 for o in outcomes if o.skipped)
    assert all(o.seconds > 0 for o in outcomes if o.ran)
    longest = slowest(outcomes, top=2)
    assert len(longest) == 2 and not set(longest) & set(skipped)
    assert list(longest.values()) == sorted((o.seconds for o in outcomes if o.ran),
                                            reverse=True)[:2]
    assert skipped == {
        "gaps": "needs indicator_results", "gap_trends": "needs gaps",
        "dashboard": "needs indicator_results", "equity_report": "needs dashboard",
        "support": "needs dashboard, indicator_results", "goals": "needs indicator_results",
        "need_index": "needs indicator_results", "progressivity": "needs need_index"}
    assert ctx.outcomes == outcomes
    have = _tables(db)
    assert {"lcff", "lcff_district", "staffing", "run_status", "resources_status"} <= have
    assert not have & {"gaps", "dashboard", "need_index", "staffing_by_band", "progressivity"}
    status = _run_status(db)
    assert ("gaps", "gap trends", "not computed", 0, 0, "needs gaps") in status
    assert ("dashboard", "support", "not computed", 0, 0,
            "needs dashboard, indicator_results") in status
    assert ("resources", "need index", "not computed", 0, 0,
            "needs indicator_results") in status
    with duckdb.connect(str(db), read_only=True) as con:
        parts = con.sql("SELECT part, computed, reason FROM resources_status").fetchall()
    assert parts == [("need_index", False, "needs indicator_results"), ("lcff", True, None),
                     ("staffing", True, None), ("progressivity", False, "needs need_index")]


def test_a_table_left_by_an_earlier_run_does_not_stand_in(bundle: Path, tmp_path: Path) -> None:
    """A table a stage of this run should make counts only when this run made it."""
    db = _ingest(bundle, tmp_path)
    assert run_all(db, Config()) == 0
    with writing(db) as con:
        con.execute("DROP TABLE indicator_results")
        con.execute("DROP TABLE staffing_gap")
        ctx = Context(con, Config())
        outcomes = run_stages(ctx, [s for s in RUN if s.part_of == "resources"])
    assert {o.stage.name: o.skipped for o in outcomes} == {
        "need_index": "needs indicator_results", "lcff": None, "staffing": None,
        "progressivity": "needs need_index"}
    assert "staffing_gap" not in _tables(db), "the old need index (not this run's) was used"


# --- the generated docs -------------------------------------------------------------------------

def test_architecture_doc_stages_table_is_current() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    assert with_stages_table(text) == text, (
        "docs/architecture.md's stages table is out of date: run `make docs`")
    for stage in STAGES:
        assert f"| `{stage.name}`" in render_stages_table()


@pytest.mark.parametrize("command", ["stages", "models"])
def test_regenerating_a_missing_or_unmarked_file_is_refused_and_writes_nothing(
        command: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    def docs(out: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "gapwatch.cli", "docs", command, "--out",
                               str(out)], capture_output=True, text=True, cwd=tmp_path)

    missing = tmp_path / "nowhere.md"
    got = docs(missing)
    assert got.returncode == 2, got.stdout + got.stderr
    assert "no such file" in " ".join(got.stderr.split()) and not missing.exists()
    plain = tmp_path / "plain.md"
    plain.write_text("# no generated section here\n", encoding="utf-8")
    got = docs(plain)
    assert got.returncode == 2, got.stdout + got.stderr
    assert "markers are missing" in " ".join(got.stderr.split())
    assert plain.read_text(encoding="utf-8") == "# no generated section here\n"
