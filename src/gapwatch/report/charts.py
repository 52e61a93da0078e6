"""Charts drawn in the reader's browser: Vega-Lite specs embedded in the page, drawn as SVG by
Vega-Embed from a bundle the site ships (``static/vega-embed.js``, no CDN, works offline).

The specs are written as plain Vega-Lite dictionaries (https://vega.github.io/vega-lite/docs/):
building them through Altair's objects took as long as rendering them (deep copies of the
schema wrappers), and the specs are fixed shapes filled with data. ``tests/test_report_charts.py``
checks each against the spec Altair builds for the same chart.

Each chart is an empty container and its spec in a ``<script type="application/json">``
(:func:`render`); ``static/charts.js`` draws every container with the page's number locale
(:func:`format_locale`). Drawing them at build time with ``vl_convert`` cost about 60 ms of
CPU per chart (decision 0019).

Colors come from the Okabe–Ito palette, which stays distinct for the common forms of color
blindness; every mark also carries a text label (value or series name) beside it, so no chart
relies on color alone. The drawn SVG is hidden from assistive technology: the page wraps it in
``role="img"`` with a caption, and puts the data table next to it (which is also what a reader
without JavaScript gets).
"""

from __future__ import annotations

import html
import json
from functools import cache
from typing import Any

import vl_convert

from gapwatch.report.i18n import VEGA_LOCALES

#: Okabe & Ito (2008), "Color Universal Design": blue, vermillion, bluish green, orange.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000")
TEXT = "#1a1a1a"
FONT = "Helvetica, Arial, sans-serif"
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"

#: What ``static/vega-embed.js`` is and under which licenses it is redistributed.
BUNDLE_LICENSES = (
    "Vega, Vega-Lite, Vega-Embed, vega-themes, vega-tooltip: BSD-3-Clause, Copyright (c) "
    "University of Washington Interactive Data Lab; d3 modules: ISC, Copyright Mike Bostock; "
    "other dependencies under the MIT, ISC or BSD licenses of their projects."
)

#: Shared look: fonts, axis and legend colors, no view border.
CONFIG: dict[str, Any] = {
    "aria": False, "background": "white", "font": FONT,
    "axis": {"domainColor": "#555555", "gridColor": "#d0d0d0", "labelColor": TEXT,
             "labelFontSize": 12, "tickColor": "#555555", "titleColor": TEXT,
             "titleFontSize": 12},
    "legend": {"labelColor": TEXT, "labelFontSize": 12, "titleColor": TEXT},
    "view": {"continuousHeight": 300, "continuousWidth": 300, "stroke": None},
}


def spec(layers: list[dict], rows: list[dict], **size: Any) -> dict:
    """A layered top-level Vega-Lite spec over inline ``rows``."""
    return {"$schema": SCHEMA, "config": CONFIG, "data": {"values": rows}, "layer": layers,
            **size}


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside an HTML ``<script>`` element: ``<``, ``>`` and
    ``&`` are written ``\\u003c``, ``\\u003e``, ``\\u0026``, so no text in the data (a school
    named ``</script>...``) can close the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
                      sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(chart: dict, prefix: str) -> str:
    """The Vega-Lite spec ``chart`` as HTML for ``static/charts.js``: an empty container and the
    spec in a JSON script whose id is ``<prefix>-spec`` (``prefix`` unique within a page).

    The ``$schema`` URL is left out: it names the Vega-Lite version, which the bundle fixes,
    and the page then holds no address outside the site."""
    spec_id = html.escape(f"{prefix}-spec")
    data = script_json({k: v for k, v in chart.items() if k != "$schema"})
    return (f'<div class="chart-view" data-spec="{spec_id}"></div>'
            f'<script type="application/json" id="{spec_id}">{data}</script>')


@cache
def format_locale(lang: str) -> str:
    """Vega's number-format locale for ``lang`` (``es``: decimal comma, ``.`` between
    thousands), as JSON for the page's ``chart-locale`` script."""
    return script_json(vl_convert.get_format_locale(VEGA_LOCALES.get(lang, "en-US")))


@cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script that defines ``window.vegaEmbed``:
    ``vl_convert``'s bundle (about 900 KB; vl-convert takes 2.7 s of CPU to build it, once per
    process), its top-level names kept out of the page's global scope, under a notice of the
    licenses."""
    names = (f"Vega {vl_convert.get_vega_version()}, "
             f"Vega-Lite {vl_convert.get_vegalite_versions()[-1]}, "
             f"Vega-Embed {vl_convert.get_vega_embed_version()}")
    return (f"/* {names} and their dependencies, bundled by vl-convert "
            f"{vl_convert.__version__}.\n"
            f"   {BUNDLE_LICENSES} */\n(() => {{\n{vl_convert.javascript_bundle()}\n}})();\n")


def _field(name: str, kind: str, **extra: Any) -> dict:
    return {"field": name, "type": kind, **extra}


def bar_spec(rows: list[dict], *, kind: str, axis_title: str) -> dict:
    """Horizontal bars, one per group: ``rows`` = ``{"group", "value", "label"}``."""
    scale = {"domain": [0, 100]} if kind == "rate" else {"zero": True}
    enc = {"x": _field("value", "quantitative", scale=scale, title=axis_title),
           "y": _field("group", "nominal", axis={"labelLimit": 220}, sort=None, title=None)}
    text = {**enc, "text": _field("label", "nominal")}
    return spec([
        {"encoding": enc, "mark": {"color": OKABE_ITO[0], "type": "bar"}},
        {"encoding": text, "mark": {"align": "left", "color": TEXT, "dx": 4, "fontSize": 12,
                                    "type": "text"},
         "transform": [{"filter": "datum.value >= 0"}]},
        {"encoding": text, "mark": {"align": "right", "color": TEXT, "dx": -4, "fontSize": 12,
                                    "type": "text"},
         "transform": [{"filter": "datum.value < 0"}]},
    ], rows, height={"step": 22}, width=320)


def bar_chart(rows: list[dict], *, kind: str, axis_title: str, prefix: str = "bar") -> str:
    """Horizontal bars, one per group: ``rows`` = ``{"group", "value", "label"}``.

    ``label`` is the value already formatted for the language; it is written beside each bar.
    """
    return render(bar_spec(rows, kind=kind, axis_title=axis_title), prefix)


def line_spec(rows: list[dict], *, axis_title: str, series_title: str) -> dict:
    """Lines over school years: ``rows`` = ``{"year", "series", "value", "label"}``."""
    series = list(dict.fromkeys(r["series"] for r in rows))
    enc = {"x": _field("year", "ordinal", axis={"labelAngle": 0}, sort=None, title=None),
           "y": _field("value", "quantitative", scale={"padding": 24, "zero": False},
                       title=axis_title)}
    dashes = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2]][: len(series)]
    lines = {"encoding": {
        **enc,
        "color": _field("series", "nominal", title=series_title,
                        legend={"direction": "vertical", "labelLimit": 300, "orient": "bottom"},
                        scale={"domain": series, "range": list(OKABE_ITO[: len(series)])}),
        "strokeDash": _field("series", "nominal", legend=None,
                             scale={"domain": series, "range": dashes})},
        "mark": {"point": {"filled": True, "size": 60}, "strokeWidth": 2.5, "type": "line"}}
    years = list(dict.fromkeys(r["year"] for r in rows))
    last = years[-1] if years else ""
    labels = [{"encoding": {**enc, "text": _field("label", "nominal")},
               "mark": {"align": "left", "color": TEXT, "dx": 8, "dy": -10 if i % 2 == 0 else 12,
                        "fontSize": 12, "type": "text"},
               "transform": [{"filter": {"equal": s, "field": "series"}},
                             {"filter": {"equal": last, "field": "year"}}]}
              for i, s in enumerate(series)]
    return spec([lines, *labels], rows, height=200, width=320)


def line_chart(rows: list[dict], *, axis_title: str, series_title: str,
               prefix: str = "line") -> str:
    """Lines over school years: ``rows`` = ``{"year", "series", "value", "label"}``.

    Each series has its own color and dash pattern, a point per year, its latest value written
    beside the last point, and a legend naming it.
    """
    return render(line_spec(rows, axis_title=axis_title, series_title=series_title), prefix)


def scatter_spec(rows: list[dict], *, x_title: str, y_title: str) -> dict:
    """One dot per school: ``rows`` = ``{"x", "y", "band"}``, with a least-squares line."""
    bands = list(dict.fromkeys(r["band"] for r in rows))
    shapes = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]
    legend = {"direction": "horizontal", "labelLimit": 200, "orient": "bottom", "title": None}
    enc = {"x": _field("x", "quantitative", scale={"nice": True, "zero": False}, title=x_title),
           "y": _field("y", "quantitative", scale={"nice": True, "zero": False}, title=y_title)}
    dots = {"encoding": {
        **enc,
        "color": _field("band", "nominal", legend=legend, sort=bands,
                        scale={"domain": bands, "range": list(OKABE_ITO[: len(bands)])}),
        "shape": _field("band", "nominal", legend=legend, sort=bands,
                        scale={"domain": bands, "range": shapes[: len(bands)]})},
        "mark": {"filled": True, "opacity": 0.9, "size": 70, "type": "point"}}
    fit = {"encoding": enc,
           "mark": {"color": TEXT, "strokeDash": [6, 3], "strokeWidth": 1.5, "type": "line"},
           "transform": [{"on": "x", "regression": "y"}]}
    return spec([dots, fit], rows, height=240, width=360)


def scatter_chart(rows: list[dict], *, x_title: str, y_title: str,
                  prefix: str = "scatter") -> str:
    """One dot per school: ``rows`` = ``{"x", "y", "band"}`` (``band`` already translated).

    Bands get an Okabe–Ito color and a shape each, named in the legend, so the chart does not
    rely on color alone; a least-squares line shows the overall direction."""
    return render(scatter_spec(rows, x_title=x_title, y_title=y_title), prefix)
