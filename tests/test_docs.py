"""Generated reference docs are current, and every setting and indicator is documented."""

from __future__ import annotations

from pathlib import Path

from gapwatch.config import SETTINGS, render_settings_doc
from gapwatch.indicators import BUILTIN
from gapwatch.indicators.docs import render_indicators_doc

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_indicators_doc_is_current() -> None:
    assert (DOCS / "indicators.md").read_text(encoding="utf-8") == render_indicators_doc(), (
        "docs/indicators.md is out of date: run `make docs`")


def test_configuration_doc_is_current() -> None:
    assert (DOCS / "configuration.md").read_text(encoding="utf-8") == render_settings_doc(), (
        "docs/configuration.md is out of date: run `make docs`")


def test_every_indicator_has_definition_source_and_section() -> None:
    text = render_indicators_doc()
    for ind in BUILTIN:
        assert f"### {ind.id}\n" in text
        assert ind.citation and ind.description and ind.universe and ind.outcome
    for setting in SETTINGS:
        assert f"`{setting.name}`" in render_settings_doc()


def test_issue_named_indicators_exist() -> None:
    named = {
        "chronic_absence", "suspension_rate", "ela_dfs", "math_dfs", "ela_met", "math_met",
        "grade3_reading_met", "grade8_core_c_or_better", "ninth_grade_on_track", "ag_on_track",
        "graduation_rate", "ag_completion", "college_eligible", "el_reclassified_by_grade6",
        "el_progress", "ltel_rate", "seal_of_biliteracy",
    }
    assert named <= {i.id for i in BUILTIN}
