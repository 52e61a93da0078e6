"""The indicator type is a leaf: any package that defines indicators can be imported first."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("first", ["gapwatch.families.indicators", "gapwatch.indicators.registry",
                                   "gapwatch.indicators", "gapwatch.indicators.indicator"])
def test_each_indicator_module_imports_first_in_a_fresh_process(first: str) -> None:
    code = (f"import {first}\n"
            "from gapwatch.indicators import BUILTIN, Indicator\n"
            "from gapwatch.families.indicators import family_indicators\n"
            "assert all(isinstance(i, Indicator) for i in BUILTIN)\n"
            "ids = {i.id for i in BUILTIN}\n"
            "assert {i.id for i in family_indicators()} <= ids, 'families missing'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_indicator_module_imports_nothing_of_gapwatch() -> None:
    code = ("import sys, gapwatch.indicators.indicator\n"
            "loaded = sorted(m for m in sys.modules if m.startswith('gapwatch.') and m not in "
            "{'gapwatch.indicators', 'gapwatch.indicators.indicator'})\n"
            "assert not loaded, loaded\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
