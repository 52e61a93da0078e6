"""Benchmark: the report's charts, Vega-Lite specs written as dictionaries against the same
charts built through Altair's objects (the first release's code, without schema validation as
it rendered, kept as the test oracle in tests/test_report_charts.py). Both are rendered to SVG
by vl-convert.

    .venv/bin/python benchmarks/charts.py [--charts 60]

Prints, per chart kind, the milliseconds per chart of building the spec and of building and
rendering it, for each path, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import vl_convert  # noqa: E402
from test_report_charts import altair_bar, altair_line, altair_scatter  # noqa: E402

from gapwatch.report import charts  # noqa: E402

BARS = [{"group": f"Group {i}", "value": 10.0 + 7 * i, "label": f"{10 + 7 * i}%"}
        for i in range(8)]
LINES = [{"year": y, "series": s, "value": v + k, "label": f"{v + k}%"}
         for s, v in (("School", 40), ("District", 45), ("Group", 30))
         for k, y in enumerate(("2022-23", "2023-24", "2024-25"))]
DOTS = [{"x": 0.1 * i, "y": 100 + 7 * i, "band": ["Highest", "High", "Low"][i % 3]}
        for i in range(40)]

KINDS: dict[str, tuple[Callable[[], dict], Callable[[], dict]]] = {
    "bar": (lambda: charts.bar_spec(BARS, kind="rate", axis_title="Percent"),
            lambda: altair_bar(BARS, "rate", "Percent", validate=False)),
    "line": (lambda: charts.line_spec(LINES, axis_title="Percent", series_title="Who"),
             lambda: altair_line(LINES, "Percent", "Who", validate=False)),
    "scatter": (lambda: charts.scatter_spec(DOTS, x_title="Need", y_title="Dollars"),
                lambda: altair_scatter(DOTS, "Need", "Dollars", validate=False)),
}


def per_chart(build: Callable[[], dict], n: int, render: bool) -> float:
    start = time.perf_counter()
    for _ in range(n):
        spec = build()
        if render:
            vl_convert.vegalite_to_svg(json.dumps(spec, sort_keys=True))
    return 1000 * (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charts", type=int, default=60, help="charts of each kind")
    n = parser.parse_args().charts
    table = Table(title=f"Report charts, ms per chart ({n} of each kind)")
    for col in ("chart", "step", "dicts (now)", "Altair (before)", "before / now"):
        table.add_column(col, justify="left" if col in ("chart", "step") else "right")
    for kind, (ours, theirs) in KINDS.items():
        assert ours() == theirs()  # the same spec, or the comparison means nothing
        for step, render in (("build spec", False), ("build + render SVG", True)):
            now, before = per_chart(ours, n, render), per_chart(theirs, n, render)
            table.add_row(kind, step, f"{now:.1f}", f"{before:.1f}", f"{before / now:.1f}x")
    Console().print(table)


if __name__ == "__main__":
    main()
