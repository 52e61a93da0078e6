"""Generated reference docs are current, and every setting and indicator is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gapwatch.config import SETTINGS
from gapwatch.config_docs import render_settings_doc
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



def test_readme_python_examples_run_and_say_what_they_print() -> None:
    """Each line of the README's Python example runs and gives what its comment says."""
    text = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    namespace: dict = {}
    checked = 0
    for line in "\n".join(blocks).splitlines():
        code, _, comment = line.partition("#")
        if code.startswith(("from ", "import ")):
            exec(code, namespace)  # noqa: S102
        elif code.strip():
            value = eval(code, namespace)  # noqa: S307
            expected = comment.replace("about", "").split()[0]
            if isinstance(value, str):
                assert value == expected, (code, value)
            else:
                assert value == pytest.approx(float(expected), abs=0.01), (code, value)
            checked += 1
    assert checked == 3
