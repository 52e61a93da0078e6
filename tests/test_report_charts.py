"""The charts' Vega-Lite specs are the ones Altair builds for the same charts (the oracle below
is the Altair code the first release rendered with, here with Altair's schema validation on),
and each page carries them as JSON that no text in the data can break out of.

The browser side (the specs drawn by Vega-Embed, the same texts vl-convert drew) is in
test_report_browser.py."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import altair as alt
from hypothesis import given
from hypothesis import strategies as st

from gapwatch.report import charts
from gapwatch.report.charts import OKABE_ITO, TEXT


def _altair_config(chart: alt.TopLevelMixin, validate: bool = True) -> dict:
    chart = chart.configure(font=charts.FONT, aria=False, background="white").configure_axis(
        labelColor=TEXT, titleColor=TEXT, labelFontSize=12, titleFontSize=12,
        gridColor="#d0d0d0", domainColor="#555555", tickColor="#555555",
    ).configure_view(stroke=None).configure_legend(labelColor=TEXT, titleColor=TEXT,
                                                   labelFontSize=12)
    return json.loads(chart.to_json(validate=validate))


def altair_bar(rows: list[dict], kind: str, axis_title: str, validate: bool = True) -> dict:
    x_scale = alt.Scale(domain=[0, 100]) if kind == "rate" else alt.Scale(zero=True)
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("group:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("value:Q", title=axis_title, scale=x_scale))
    bars = base.mark_bar(color=OKABE_ITO[0])
    right = base.transform_filter("datum.value >= 0").mark_text(
        align="left", dx=4, color=TEXT, fontSize=12).encode(text="label:N")
    left = base.transform_filter("datum.value < 0").mark_text(
        align="right", dx=-4, color=TEXT, fontSize=12).encode(text="label:N")
    return _altair_config(alt.layer(bars, right, left).properties(width=320,
                                                                   height=alt.Step(22)),
                          validate)


def altair_line(rows: list[dict], axis_title: str, series_title: str,
                validate: bool = True) -> dict:
    series = list(dict.fromkeys(r["series"] for r in rows))
    color = alt.Color("series:N", title=series_title,
                      scale=alt.Scale(domain=series, range=list(OKABE_ITO[: len(series)])),
                      legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=300))
    dash = alt.StrokeDash("series:N", scale=alt.Scale(domain=series,
                          range=[[1, 0], [6, 3], [2, 2], [8, 2, 2, 2]][: len(series)]),
                          legend=None)
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("year:O", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=axis_title, scale=alt.Scale(zero=False, padding=24)))
    lines = base.mark_line(point=alt.OverlayMarkDef(size=60, filled=True), strokeWidth=2.5
                           ).encode(color=color, strokeDash=dash)
    years = list(dict.fromkeys(r["year"] for r in rows))
    last = years[-1] if years else ""
    labels = [
        base.transform_filter(alt.FieldEqualPredicate(field="series", equal=s))
        .transform_filter(alt.FieldEqualPredicate(field="year", equal=last))
        .mark_text(align="left", dx=8, dy=-10 if i % 2 == 0 else 12, fontSize=12, color=TEXT)
        .encode(text="label:N")
        for i, s in enumerate(series)]
    return _altair_config(alt.layer(lines, *labels).properties(width=320, height=200),
                          validate)


def altair_scatter(rows: list[dict], x_title: str, y_title: str,
                   validate: bool = True) -> dict:
    bands = list(dict.fromkeys(r["band"] for r in rows))
    shapes = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"]
    legend = alt.Legend(orient="bottom", direction="horizontal", title=None, labelLimit=200)
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False, nice=True)),
        y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False, nice=True)))
    dots = base.mark_point(filled=True, size=70, opacity=0.9).encode(
        color=alt.Color("band:N", sort=bands, legend=legend,
                        scale=alt.Scale(domain=bands, range=list(OKABE_ITO[: len(bands)]))),
        shape=alt.Shape("band:N", sort=bands, legend=legend,
                        scale=alt.Scale(domain=bands, range=shapes[: len(bands)])))
    fit = base.transform_regression("x", "y").mark_line(color=TEXT, strokeDash=[6, 3],
                                                        strokeWidth=1.5)
    return _altair_config(alt.layer(dots, fit).properties(width=360, height=240), validate)


NAMES = st.sampled_from(["Hispanic or Latino", "All students", "Escuela", "Grupo <b>", "A&B"])
VALUES = st.floats(-50, 100, allow_nan=False).map(lambda v: round(v, 1))


@given(st.lists(st.tuples(NAMES, VALUES), min_size=1, max_size=8),
       st.sampled_from(["rate", "mean"]), NAMES)
def test_bar_spec_is_altairs(bars: list, kind: str, title: str) -> None:
    rows = [{"group": g, "value": v, "label": f"{v}%"} for g, v in bars]
    assert charts.bar_spec(rows, kind=kind, axis_title=title) == altair_bar(rows, kind, title)


@given(st.lists(NAMES, min_size=1, max_size=4, unique=True),
       st.lists(st.sampled_from(["2021-22", "2022-23", "2023-24", "2024-25"]), min_size=1,
                max_size=4, unique=True), VALUES, NAMES)
def test_line_spec_is_altairs(series: list, years: list, value: float, title: str) -> None:
    rows = [{"year": y, "series": s, "value": value + i, "label": f"{value + i}"}
            for i, s in enumerate(series) for y in years]
    got = charts.line_spec(rows, axis_title=title, series_title="Group")
    assert got == altair_line(rows, title, "Group")


@given(st.lists(st.tuples(VALUES, VALUES, st.sampled_from(["High", "Low", "Middle", "Más"])),
                min_size=2, max_size=12))
def test_scatter_spec_is_altairs(points: list) -> None:
    rows = [{"x": x, "y": y, "band": b} for x, y, b in points]
    got = charts.scatter_spec(rows, x_title="Need", y_title="Dollars")
    assert got == altair_scatter(rows, "Need", "Dollars")


class _Snippet(HTMLParser):
    """The elements of a chart's HTML: (tag, attributes, text inside)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[list] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.elements.append([tag, dict(attrs), ""])

    def handle_data(self, data: str) -> None:
        self.elements[-1][2] += data


def _parse(html: str) -> list[list]:
    parser = _Snippet()
    parser.feed(html)
    parser.close()
    return parser.elements


def test_render_is_a_container_and_its_spec() -> None:
    rows = [{"group": "A", "value": 12.5, "label": "12.5%"}]
    spec = charts.bar_spec(rows, kind="rate", axis_title="Percent")
    (div, div_attrs, _), (script, attrs, text) = _parse(charts.render(spec, "ind-x-bar"))
    assert (div, script) == ("div", "script")
    assert div_attrs == {"class": "chart-view", "data-spec": "ind-x-bar-spec"}
    assert attrs == {"type": "application/json", "id": "ind-x-bar-spec"}
    # the spec itself, without the $schema address (the bundle fixes the version)
    assert json.loads(text) == {k: v for k, v in spec.items() if k != "$schema"}
    assert "http" not in text
    assert charts.bar_chart(rows, kind="rate", axis_title="Percent", prefix="ind-x-bar") == (
        charts.render(spec, "ind-x-bar"))


ESCAPES = ["</script><script>alert(1)</script>", "<!--", "<script>", "]]>", "&amp;", "</SCRIPT",
           "\u003c", '"', "\\", "\u2028 \u2029 \x00"]


@given(st.lists(st.one_of(st.sampled_from(ESCAPES), st.text()), min_size=1, max_size=4))
def test_no_text_in_the_data_escapes_the_json(names: list[str]) -> None:
    """Whatever a school or group is called, the HTML parser sees one script element whose
    text is the whole spec; ``<``, ``>`` and ``&`` never appear in it."""
    rows = [{"year": "2024–25", "series": n, "value": 1.0, "label": n} for n in names]
    spec = charts.line_spec(rows, axis_title="Percent", series_title="Who")
    elements = _parse(charts.render(spec, "t"))
    assert [e[0] for e in elements] == ["div", "script"]
    text = elements[1][2]
    assert not set("<>&") & set(text)
    assert json.loads(text) == {k: v for k, v in spec.items() if k != "$schema"}


def test_format_locale_of_each_language() -> None:
    es, en = (json.loads(charts.format_locale(lang)) for lang in ("es", "en"))
    assert (es["decimal"], es["thousands"]) == (",", ".")
    assert (en["decimal"], en["thousands"]) == (".", ",")
