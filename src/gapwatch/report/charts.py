"""Charts as inline SVG: Altair specs rendered offline by ``vl_convert`` (no JavaScript, no CDN).

Colors come from the Okabe–Ito palette, which stays distinct for the common forms of color
blindness; every mark also carries a text label (value or series name) beside it, so no chart
relies on color alone. The SVG is hidden from assistive technology: the page wraps it in
``role="img"`` with a caption, and puts the data table next to it.
"""

from __future__ import annotations

import re

import altair as alt
import vl_convert

from gapwatch.report.i18n import VEGA_LOCALES

#: Okabe & Ito (2008), "Color Universal Design": blue, vermillion, bluish green, orange.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000")
TEXT = "#1a1a1a"
FONT = "Helvetica, Arial, sans-serif"


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure(font=FONT, aria=False, background="white").configure_axis(
        labelColor=TEXT, titleColor=TEXT, labelFontSize=12, titleFontSize=12,
        gridColor="#d0d0d0", domainColor="#555555", tickColor="#555555",
    ).configure_view(stroke=None).configure_legend(labelColor=TEXT, titleColor=TEXT,
                                                   labelFontSize=12)


def render(chart: alt.TopLevelMixin, lang: str, prefix: str) -> str:
    """The chart as an SVG string; its ids start with ``prefix`` (unique within a page).

    Altair's JSON-schema validation is skipped: the specs come from the functions below only
    (the tests render each kind), and validating took longer than rendering."""
    svg = vl_convert.vegalite_to_svg(
        _config(chart).to_json(validate=False), format_locale=VEGA_LOCALES.get(lang, "en-US"),
    )
    prefix = f"{prefix}-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def bar_chart(rows: list[dict], *, kind: str, axis_title: str, lang: str,
              prefix: str = "bar") -> str:
    """Horizontal bars, one per group: ``rows`` = ``{"group", "value", "label"}``.

    ``label`` is the value already formatted for the language; it is written beside each bar.
    """
    data = alt.Data(values=rows)
    x_scale = alt.Scale(domain=[0, 100]) if kind == "rate" else alt.Scale(zero=True)
    base = alt.Chart(data).encode(
        y=alt.Y("group:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("value:Q", title=axis_title, scale=x_scale),
    )
    bars = base.mark_bar(color=OKABE_ITO[0])
    right = base.transform_filter("datum.value >= 0").mark_text(
        align="left", dx=4, color=TEXT, fontSize=12).encode(text="label:N")
    left = base.transform_filter("datum.value < 0").mark_text(
        align="right", dx=-4, color=TEXT, fontSize=12).encode(text="label:N")
    chart = alt.layer(bars, right, left).properties(width=320, height=alt.Step(22))
    return render(chart, lang, prefix)


def line_chart(rows: list[dict], *, kind: str, axis_title: str, series_title: str,
               lang: str, prefix: str = "line") -> str:
    """Lines over school years: ``rows`` = ``{"year", "series", "value", "label"}``.

    Each series has its own color and dash pattern, a point per year, its latest value written
    beside the last point, and a legend naming it.
    """
    series = list(dict.fromkeys(r["series"] for r in rows))
    color = alt.Color("series:N", title=series_title,
                      scale=alt.Scale(domain=series, range=list(OKABE_ITO[: len(series)])),
                      legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=300))
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=series,
                          range=[[1, 0], [6, 3], [2, 2], [8, 2, 2, 2]][: len(series)]),
                          legend=None)
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("year:O", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=axis_title, scale=alt.Scale(zero=False, padding=24)),
    )
    lines = base.mark_line(point=alt.OverlayMarkDef(size=60, filled=True), strokeWidth=2.5
                           ).encode(color=color, strokeDash=dash)
    years = list(dict.fromkeys(r["year"] for r in rows))
    last = years[-1] if years else ""
    labels = [
        base.transform_filter(alt.FieldEqualPredicate(field="series", equal=s))
        .transform_filter(alt.FieldEqualPredicate(field="year", equal=last))
        .mark_text(align="left", dx=8, dy=-10 if i % 2 == 0 else 12, fontSize=12, color=TEXT)
        .encode(text="label:N")
        for i, s in enumerate(series)
    ]
    return render(alt.layer(lines, *labels).properties(width=320, height=200), lang, prefix)


def scatter_chart(rows: list[dict], *, x_title: str, y_title: str, lang: str,
                  prefix: str = "scatter") -> str:
    """One dot per school: ``rows`` = ``{"x", "y", "band"}`` (``band`` already translated).

    Bands get an Okabe–Ito color and a shape each, named in the legend, so the chart does not
    rely on color alone; a least-squares line shows the overall direction."""
    bands = list(dict.fromkeys(r["band"] for r in rows))
    shapes = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]
    legend = alt.Legend(orient="bottom", direction="horizontal", title=None, labelLimit=200)
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False, nice=True)),
        y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False, nice=True)),
    )
    dots = base.mark_point(filled=True, size=70, opacity=0.9).encode(
        color=alt.Color("band:N", sort=bands, legend=legend,
                        scale=alt.Scale(domain=bands, range=list(OKABE_ITO[: len(bands)]))),
        shape=alt.Shape("band:N", sort=bands, legend=legend,
                        scale=alt.Scale(domain=bands, range=shapes[: len(bands)])),
    )
    fit = base.transform_regression("x", "y").mark_line(color=TEXT, strokeDash=[6, 3],
                                                        strokeWidth=1.5)
    return render(alt.layer(dots, fit).properties(width=360, height=240), lang, prefix)
