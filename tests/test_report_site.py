"""The public site (gapwatch.report), built from a small hand-made published folder.

Fast tests, no browser. The published folder follows the shared spec (SITE/data/: the CSVs and
disclosure.json written by the privacy door); ``make_site_data`` writes one by hand, so these
tests do not depend on gapwatch.privacy.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gapwatch.report import build_site

YEARS = (2024, 2025)
DISTRICT = ("D1", "Sample Unified School District")
SCHOOLS = (("S1", "Alder Elementary"), ("S2", "Birch Middle"), ("S3", "Cedar High"))
INDICATORS = (  # id, name, kind, base value, lower is better
    ("chronic_absence", "Chronic absenteeism (K-8)", "rate", 18.0, True),
    ("ela_dfs", "English language arts: Distance from Standard", "mean", -20.0, False),
    ("math_met", "Mathematics: met or exceeded standard", "rate", 42.0, False),
)
GROUPS = (("ALL", "All students", 1.0), ("HI", "Hispanic or Latino", 0.55),
          ("WH", "White", 0.25), ("AA", "African American", 0.08),
          ("EL", "English learners", 0.2), ("SWD", "Students with disabilities", 0.12))
#: group offsets from ALL (in the indicator's units, sign: "worse" is negative)
OFFSET = {"ALL": 0.0, "HI": -4.0, "WH": 6.0, "AA": -9.0, "EL": -12.0, "SWD": -15.0}
#: cells the "door" suppressed or coded: (year, entity, indicator, group) -> (status, shown)
SPECIAL = {
    (2025, "S1", "math_met", "AA"): ("primary", "fewer than 11 students"),
    (2025, "S1", "chronic_absence", "AA"): ("primary", "fewer than 11 students"),
    (2025, "S1", "ela_dfs", "AA"): ("primary", "fewer than 11 students"),
    (2025, "S1", "math_met", "SWD"): ("complementary", "suppressed"),
    (2024, "S2", "chronic_absence", "WH"): ("complementary", "suppressed"),
    (2025, "S3", "math_met", "WH"): ("top_coded", "≥ 95%"),
    (2025, "S2", "chronic_absence", "WH"): ("bottom_coded", "≤ 5%"),
}
SCHOOL_SIZE = {"D1": 1900, "S1": 420, "S2": 610, "S3": 870}
SCHOOL_SHIFT = {"D1": 0.0, "S1": -3.0, "S2": 1.5, "S3": 2.5}
#: S1, 2025: English learners' math result fell the most (packet "lowest and declining")
TWEAK = {(2025, "S1", "math_met", "EL"): -6.5, (2025, "S1", "math_met", "SWD"): 0.0}


def _value(year, entity, indicator, group):
    _id, _name, kind, base, lower = next(i for i in INDICATORS if i[0] == indicator)
    worse = -1 if lower else 1
    v = base + worse * (OFFSET[group] + SCHOOL_SHIFT[entity]) + (year - 2024) * 1.2
    v += worse * TWEAK.get((year, entity, indicator, group), 0.0)
    return round(v, 1)


def make_site_data(root: Path) -> Path:
    """Write a small published folder (``root/data``) per the shared spec; return it."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    entities = [("district", *DISTRICT)] + [("school", sid, name) for sid, name in SCHOOLS]
    cells = {}
    rows = []
    for year in YEARS:
        for etype, eid, ename in entities:
            for ind, ind_name, kind, _base, _lower in INDICATORS:
                for group, gname, share in GROUPS:
                    n = max(1, round(SCHOOL_SIZE[eid] * share * (1 + (year - 2024) * 0.03)))
                    v = _value(year, eid, ind, group)
                    status, shown = SPECIAL.get((year, eid, ind, group), ("published", ""))
                    row = {"school_year": year, "entity_type": etype, "entity_id": eid,
                           "entity_name": ename, "indicator": ind, "indicator_name": ind_name,
                           "kind": kind, "student_group": group, "group_name": gname,
                           "n": n, "percent": "", "value": "", "shown": shown,
                           "status": status}
                    if status in ("primary", "complementary"):
                        row["n"] = ""
                    elif status == "published":
                        row["percent" if kind == "rate" else "value"] = v
                        row["shown"] = f"{v:.1f}%" if kind == "rate" else f"{v:.1f}"
                    cells[(year, eid, ind, group)] = row
                    rows.append(row)
    _write(data / "indicators.csv", rows)

    gaps, dash = [], []
    for (year, eid, ind, group), row in cells.items():
        kind = row["kind"]
        etype, ename = row["entity_type"], row["entity_name"]
        all_row = cells[(year, eid, ind, "ALL")]
        lower = next(i[4] for i in INDICATORS if i[0] == ind)
        if group != "ALL" and row["status"] == all_row["status"] == "published":
            v, a = _value(year, eid, ind, group), _value(year, eid, ind, "ALL")
            share = next(g[2] for g in GROUPS if g[0] == group)
            for ref, gap in (("complement", (v - a) / (1 - share)), ("ALL", v - a)):
                gap = round(gap, 1)
                against = gap > 0 if lower else gap < 0
                gaps.append({
                    "school_year": year, "entity_type": etype, "entity_id": eid,
                    "entity_name": ename, "indicator": ind, "student_group": group,
                    "reference": ref,
                    "metric": "pp_difference" if kind == "rate" else "mean_difference",
                    "value": gap, "ci_low": round(gap - 4.2, 1), "ci_high": round(gap + 4.2, 1),
                    "flagged": str(against and abs(gap) > 4.2).lower()})
        prior = cells.get((year - 1, eid, ind, group))
        if row["status"] == "published":
            status = _value(year, eid, ind, group)
            has_change = prior is not None and prior["status"] == "published"
            change = round(status - _value(year - 1, eid, ind, group), 1) if has_change else ""
            color = ""
            if has_change:
                good = -status if lower else status
                color = ("Red", "Orange", "Yellow", "Green", "Blue")[
                    min(4, max(0, int((good + (40 if kind == "mean" else -10)) // 10)))]
            dash.append({"school_year": year, "entity_type": etype, "entity_id": eid,
                         "entity_name": ename, "indicator": ind, "student_group": group,
                         "status": status, "change": change,
                         "status_level": "Low" if color in ("Red", "Orange") else "Medium",
                         "change_level": "Maintained" if has_change else "",
                         "color": color})
    _write(data / "gaps.csv", gaps)
    _write(data / "dashboard.csv", dash)

    goals = []
    for gid, gname, etype, eid, ename, group, values in (
        ("G1", "Raise math proficiency", "district", *DISTRICT, "ALL",
         ((2024, 41.0, 43.0, 40.0, "on track"), (2025, 42.2, 50.0, 44.0, "off track"))),
        ("G2", "Cut chronic absence for English learners", "school", "S1", "Alder Elementary",
         "EL", ((2024, 33.0, 15.0, 30.0, "off track"), (2025, 34.2, 15.0, 26.0, "off track"))),
        ("G3", "Raise reading scores", "school", "S2", "Birch Middle", "ALL",
         ((2025, -18.5, 0.0, -19.0, "on track"),)),
    ):
        for year, value, target, interim, status in values:
            goals.append({"goal_id": gid, "goal_name": gname, "entity_type": etype,
                          "entity_id": eid, "entity_name": ename, "student_group": group,
                          "reference_group": "", "school_year": year, "value": value,
                          "target_value": target, "interim_target": interim,
                          "status": status})
    _write(data / "goals.csv", goals)
    _write_resources(data)
    # the run's method choices (gapwatch.indicators.methods_used), as gapwatch report writes
    (data / "methods.json").write_text(json.dumps({
        "participation_rule": {"applied": {"value": "off", "verified": True}},
        "elpi_levels": {"split_rule": {"value": "midpoint", "verified": False}}}))
    (data / "disclosure.json").write_text(json.dumps({
        "min_n": 11, "k": 3, "coding": [[300, 99.0], [100, 98.0], [40, 95.0], [11, 90.0]],
        "partitions": [], "entity_sums": {"exact": [], "at_least": "every other indicator"},
        "entity_members": {"district:D1": [s for s, _ in SCHOOLS]},
        "files": ["indicators.csv", "gaps.csv", "dashboard.csv", "goals.csv"]}, indent=1))
    return data


#: resources_*.csv (the door's format, gapwatch.privacy.resources), 2025 only. S1 has the most
#: need and the most dollars per student; S3 (8 students) is suppressed. Inexperienced teachers:
#: Highest band 12.5% of 40, Lowest 2.5% of 40 (gap +10.0, beyond noise); Low band has 9
#: teachers (suppressed).
RES_SCHOOLS = [
    {"school_year": 2025, "school_id": "S1", "school_name": "Alder Elementary",
     "need_score": 1.25, "need_percentile": 90.0, "band": "Highest", "enrollment": 420,
     "dollars_per_pupil": 14200, "supp_conc_per_pupil": 3100, "teachers_per_100": 4.2,
     "status": "published"},
    {"school_year": 2025, "school_id": "S2", "school_name": "Birch Middle",
     "need_score": -0.75, "need_percentile": 20.0, "band": "Lowest", "enrollment": 610,
     "dollars_per_pupil": 11900, "supp_conc_per_pupil": 950, "teachers_per_100": 4.6,
     "status": "published"},
    {"school_year": 2025, "school_id": "S3", "school_name": "Cedar High", "need_score": "",
     "need_percentile": "", "band": "", "enrollment": "", "dollars_per_pupil": "",
     "supp_conc_per_pupil": "", "teachers_per_100": "", "status": "primary"},
]
RES_BANDS = [
    {"school_year": 2025, "band": band, "schools": 2, "measure": m, "percent": pct,
     "ci_low": round(pct - 5, 1) if pct != "" else "",
     "ci_high": round(pct + 5, 1) if pct != "" else "", "n": n,
     "status": "published" if n != "" else "primary"}
    for m in ("novice", "turnover")
    for band, pct, n in (("Highest", 12.5, 40), ("Low", "", ""), ("Lowest", 2.5, 40))
]
RES_GAPS = [{"school_year": 2025, "measure": "novice", "high_band": "Highest",
             "low_band": "Lowest", "high_percent": 12.5, "low_percent": 2.5, "gap": 10.0,
             "ci_low": 1.2, "ci_high": 18.8, "beyond_noise": "true", "status": "published"}]
RES_PROGRESSIVITY = [{"school_year": 2025, "measure": "dollars_per_pupil",
                      "unit": "dollars per pupil", "schools": 2, "slope": 1150.0,
                      "slope_ci_low": "", "slope_ci_high": "", "spearman": 1.0,
                      "spearman_ci_low": "", "spearman_ci_high": "", "highest_value": 14200,
                      "lowest_value": 11900, "ratio": 1.19, "ratio_ci_low": 1.05,
                      "ratio_ci_high": 1.35, "progressive": "progressive"}]


def _write_resources(data: Path) -> None:
    _write(data / "resources_schools.csv", RES_SCHOOLS)
    _write(data / "resources_bands.csv", RES_BANDS)
    _write(data / "resources_gaps.csv", RES_GAPS)
    _write(data / "resources_progressivity.csv", RES_PROGRESSIVITY)


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def rename_school(data: Path, old: str, new: str) -> None:
    """Call school ``old`` ``new`` in every CSV of the published folder ``data``."""
    assert not set(',"\r\n') & set(new), "a plain CSV field, so a text replacement is enough"
    for path in data.glob("*.csv"):
        path.write_text(path.read_text("utf-8").replace(old, new), encoding="utf-8")


# -- a small HTML tree (stdlib only) ---------------------------------------------------------
VOID = {"meta", "link", "br", "img", "input", "hr", "source", "col", "area", "base", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None):
        for c in self.children:
            if isinstance(c, Node):
                if tag is None or c.tag == tag:
                    yield c
                yield from c.iter(tag)

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, dict(attrs), self.cur))

    def handle_endtag(self, tag):
        node = self.cur
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.cur = node.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(path: Path) -> Node:
    b = _TreeBuilder()
    b.feed(path.read_text("utf-8"))
    return b.root


def chart_spec(fig: Node) -> dict:
    """The Vega-Lite spec a chart figure carries for static/charts.js (its container names the
    JSON script that holds it)."""
    views = [n for n in fig.iter("div") if "data-spec" in n.attrs]
    assert len(views) == 1 and not views[0].children, "one empty container per chart"
    scripts = [n for n in fig.iter("script") if n.attrs.get("id") == views[0].attrs["data-spec"]]
    assert len(scripts) == 1 and scripts[0].attrs.get("type") == "application/json"
    return json.loads(scripts[0].text())


# -- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    return make_site_data(tmp_path_factory.mktemp("SITE"))


@pytest.fixture(scope="module")
def site(published, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    summary = build_site(published, out, pdf=False)
    assert summary.schools == ["S1", "S2", "S3"]
    return out


def _read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in (site / "en").rglob("*.html")) + sorted(
        p for p in (site / "es").rglob("*.html"))


PAGES = ["index.html", "methodology.html", "resources.html", "schools/S1.html",
         "schools/S2.html", "schools/S3.html"]


# -- tests -----------------------------------------------------------------------------------
def test_pages_exist_in_both_languages(site):
    for lang in ("en", "es"):
        for rel in PAGES:
            assert (site / lang / rel).is_file(), f"{lang}/{rel}"
    assert 'href="en/index.html"' in (site / "index.html").read_text("utf-8")
    for name in ("indicators.csv", "gaps.csv", "dashboard.csv", "goals.csv", "disclosure.json"):
        assert (site / "data" / name).is_file()
    assert len(_pages(site)) == 2 * len(PAGES)


def test_lang_one_h1_heading_order_and_switch_link(site):
    for page in _pages(site):
        lang = page.relative_to(site).parts[0]
        other = "es" if lang == "en" else "en"
        doc = parse(page)
        html = next(doc.iter("html"))
        assert html.attrs.get("lang") == lang, page
        assert len(list(doc.iter("h1"))) == 1, page
        assert len(list(doc.iter("main"))) == 1 and list(doc.iter("nav")), page
        skip = [a for a in doc.iter("a") if "skip-link" in a.classes()]
        assert skip and skip[0].attrs["href"] == "#main"
        levels = [int(n.tag[1]) for n in doc.iter() if re.fullmatch(r"h[1-6]", n.tag)]
        assert levels[0] == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (page, levels)
        switch = [a for a in doc.iter("a") if "lang-switch" in a.classes()]
        assert len(switch) == 1, page
        target = (page.parent / switch[0].attrs["href"]).resolve()
        assert target.is_file(), (page, switch[0].attrs["href"])
        assert target == (site / other / page.relative_to(site / lang)).resolve()
        assert switch[0].attrs.get("lang") == other


def test_suppressed_cells_show_door_text_and_no_n(site, published):
    rows = _read_csv(published / "indicators.csv")
    suppressed = [r for r in rows if r["status"] in ("primary", "complementary")
                  and r["entity_type"] == "school"]
    assert {r["status"] for r in suppressed} == {"primary", "complementary"}
    for lang, expected in (("en", {"primary": "fewer than 11 students",
                                   "complementary": "suppressed"}),
                           ("es", {"primary": "menos de 11 estudiantes",
                                   "complementary": "no publicado"})):
        for sid in ("S1", "S2"):
            doc = parse(site / lang / "schools" / f"{sid}.html")
            tds = [td for td in doc.iter("td") if td.attrs.get("data-status") in expected]
            assert tds, (lang, sid)
            for td in tds:
                text = " ".join(td.text().split())
                if "value" in td.classes():
                    assert text == expected[td.attrs["data-status"]], (lang, sid, text)
                else:
                    assert "n" in td.classes()
                    assert not re.search(r"\d", text), f"a number in a suppressed n: {text!r}"
    # the door's shown text, exactly, on the English page
    en = (site / "en" / "schools" / "S1.html").read_text("utf-8")
    assert ">fewer than 11 students<" in en and ">suppressed<" in en


def test_coded_cells_show_range_with_n(site, published):
    row = next(r for r in _read_csv(published / "indicators.csv")
               if r["status"] == "top_coded")
    doc = parse(site / "en" / "schools" / f"{row['entity_id']}.html")
    tds = [td for td in doc.iter("td") if td.attrs.get("data-status") == "top_coded"]
    assert [td.text() for td in tds if "value" in td.classes()] == [row["shown"]]
    assert [td.text() for td in tds if "n" in td.classes()] == [row["n"]]
    es = (site / "es" / "schools" / f"{row['entity_id']}.html").read_text("utf-8")
    assert "≥ 95\xa0%" in es


def test_every_chart_has_text_alternative_and_data_table(site):
    charts = 0
    for page in _pages(site):
        doc = parse(page)
        ids = {n.attrs["id"]: n for n in doc.iter() if "id" in n.attrs}
        for fig in (n for n in doc.iter("figure") if "chart" in n.classes()):
            charts += 1
            img = [n for n in fig.iter() if n.attrs.get("role") == "img"]
            assert len(img) == 1, page
            label = ids[img[0].attrs["aria-labelledby"]]
            assert len(label.text().strip()) > 40, (page, label.text())
            spec = chart_spec(img[0])
            assert spec["layer"] and spec["data"]["values"], page
            table = ids[fig.attrs["data-table"]]
            assert table.tag == "table" and list(table.iter("caption")), page
        for table in doc.iter("table"):
            assert list(table.iter("caption")), page
            assert all(th.attrs.get("scope") in ("col", "row") for th in table.iter("th"))
    assert charts >= 2 * 3 * 4  # bar + trend per indicator, both languages, four entities


def test_spanish_numbers_use_decimal_comma(site):
    en, es = (parse(site / lang / "schools" / "S1.html") for lang in ("en", "es"))
    values_en = [td.text() for td in en.iter("td") if "value" in td.classes() and td.text()]
    values_es = [td.text() for td in es.iter("td") if "value" in td.classes() and td.text()]
    assert any(re.search(r"\d\.\d%$", v) for v in values_en)
    assert any(re.search(r"\d,\d\xa0%$", v) for v in values_es)
    assert not [v for v in values_es if re.search(r"\d\.\d", v)]
    # the Spanish chart axes too (Vega's es-ES locale) and the packet text
    packet = next(n for n in es.iter("section") if n.attrs.get("id") == "packet").text()
    assert re.search(r"\d,\d puntos porcentuales", packet)
    for doc, decimal in ((en, "."), (es, ",")):
        locale = next(n for n in doc.iter("script") if n.attrs.get("id") == "chart-locale")
        assert json.loads(locale.text())["decimal"] == decimal


def test_offline_no_external_references(site):
    files = [*site.rglob("*.html"), *site.rglob("*.css")]
    for f in files:
        text = f.read_text("utf-8")
        refs = re.findall(r'(?:src|href|action|poster|data)\s*=\s*"([^"]*)"', text)
        refs += re.findall(r"url\(\s*['\"]?([^'\")]*)", text)
        refs += re.findall(r"@import\s+['\"]?([^'\";]*)", text)
        bad = [r for r in refs if re.match(r"(?i)(https?:)?//", r.strip())]
        assert not bad, (f, bad)
    for f in site.rglob("*.html"):
        for script in parse(f).iter("script"):  # no inline code: the site's files, or data
            if "src" in script.attrs:
                assert not script.text() and (f.parent / script.attrs["src"]).is_file(), f
            else:
                assert script.attrs.get("type") == "application/json", f
                assert not re.search(r"(?i)https?:", script.text()), f
    assert not re.search(r"(?i)https?://", (site / "static" / "site.css").read_text("utf-8"))


def test_chart_scripts_only_on_pages_with_charts(site):
    bundle = (site / "static" / "vega-embed.js").read_text("utf-8")
    assert bundle.startswith("/* Vega ") and "BSD-3-Clause" in bundle.splitlines()[1]
    assert "window.vegaEmbed=" in bundle and len(bundle) > 500_000
    assert (site / "static" / "charts.js").read_text("utf-8").count("vegaEmbed(") == 1
    for page in _pages(site):
        doc = parse(page)
        sources = [s.attrs["src"].rsplit("/", 1)[-1] for s in doc.iter("script")
                   if "src" in s.attrs]
        has_charts = any("chart" in f.classes() for f in doc.iter("figure"))
        assert sources == (["vega-embed.js", "charts.js"] if has_charts else []), page
        assert all("defer" in s.attrs for s in doc.iter("script") if "src" in s.attrs)


def test_a_school_name_cannot_close_the_chart_script(tmp_path):
    """A name such as ``</script><script>alert(1)</script>`` reaches the charts' data as text:
    ``<`` is written ``\\u003c`` in the JSON, so the page has no script but its own."""
    name = "</script><script>alert(1)</script><!--"
    data = make_site_data(tmp_path / "SITE")
    rename_school(data, "Alder Elementary", name)
    build_site(data, tmp_path / "site", pdf=False)
    page = tmp_path / "site" / "en" / "schools" / "S1.html"
    raw = page.read_text("utf-8")
    assert "<script>alert" not in raw and "<!--" not in raw
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in raw
    doc = parse(page)
    assert next(doc.iter("h1")).text() == name
    assert all("src" in s.attrs or s.attrs.get("type") == "application/json"
               for s in doc.iter("script"))
    trends = [chart_spec(f) for f in doc.iter("figure") if f.attrs["id"].endswith("-trend")]
    assert trends and all(name in {r["series"] for r in t["data"]["values"]} for t in trends)


def test_packet_lists_largest_gap_with_n(site, published):
    cells = {(r["school_year"], r["entity_id"], r["indicator"], r["student_group"]): r
             for r in _read_csv(published / "indicators.csv")}
    lower = {i[0]: i[4] for i in INDICATORS}
    gaps = [g for g in _read_csv(published / "gaps.csv")
            if g["entity_id"] == "S1" and g["school_year"] == "2025"
            and g["reference"] == "complement"
            and (float(g["value"]) > 0 if lower[g["indicator"]] else float(g["value"]) < 0)]
    largest = max(gaps, key=lambda g: abs(float(g["value"])))
    cell = cells[("2025", "S1", largest["indicator"], largest["student_group"])]
    doc = parse(site / "en" / "schools" / "S1.html")
    main = next(doc.iter("main"))
    first_section = next(main.iter("section"))
    assert first_section.attrs["id"] == "packet"  # the packet opens the page
    items = [" ".join(li.text().split()) for ul in first_section.iter("ul")
             if "packet-gaps" in ul.classes() for li in ul.iter("li")]
    value = float(largest["value"])
    gap_text = f"{'+' if value > 0 else chr(0x2212)}{abs(value):.1f} percentage points"
    assert cell["group_name"] in items[0] and cell["indicator_name"] in items[0]
    assert gap_text in items[0] and f"({cell['n']} students)" in items[0], items[0]
    es = parse(site / "es" / "schools" / "S1.html")
    items_es = [li.text() for ul in es.iter("ul") if "packet-gaps" in ul.classes()
                for li in ul.iter("li")]
    assert f"({cell['n']} estudiantes)" in items_es[0]


def test_packet_declines_and_goals_off_track(site):
    doc = parse(site / "en" / "schools" / "S1.html")
    declines = [li.text() for ul in doc.iter("ul") if "packet-declines" in ul.classes()
                for li in ul.iter("li")]
    assert any(t.startswith("English learners, Mathematics: met or exceeded standard: 21.7%")
               and "down from 27.0%" in t for t in declines), declines
    goals = [li.text() for ul in doc.iter("ul") if "packet-goals" in ul.classes()
             for li in ul.iter("li")]
    assert len(goals) == 1 and "Cut chronic absence for English learners" in goals[0]
    s2 = (site / "en" / "schools" / "S2.html").read_text("utf-8")
    assert "No goal of this school is off track." in s2


def test_dashboard_color_named_beside_swatch(site):
    doc = parse(site / "es" / "index.html")
    cells = [td for td in doc.iter("td") if "color" in td.classes()]
    assert cells
    names = {"Rojo", "Anaranjado", "Amarillo", "Verde", "Azul", "Sin color"}
    for td in cells:
        assert [s for s in td.iter("span") if "swatch" in s.classes()]
        assert td.text().strip() in names


def test_two_clicks_from_district_to_school_packet(site):
    doc = parse(site / "en" / "index.html")
    nav_schools = [a for a in doc.iter("a") if a.attrs.get("href", "").endswith("#schools")]
    assert nav_schools
    section = next(n for n in doc.iter("section") if n.attrs.get("id") == "schools")
    links = {a.text(): a.attrs["href"] for a in section.iter("a")}
    assert set(links) == {name for _sid, name in SCHOOLS}
    page = site / "en" / links["Alder Elementary"]
    assert "Data packet for the school plan" in page.read_text("utf-8")


def test_no_pdf_link_when_pdfs_not_printed(site):
    assert "pdf-link" not in (site / "en" / "schools" / "S1.html").read_text("utf-8")


def test_resources_page_shows_need_dollars_and_staffing(site):
    page = parse(site / "en" / "resources.html")
    text = " ".join(page.text().split())
    # the staffing gap in plain words, with its numbers
    assert ("Inexperienced teachers (two or fewer years of experience): 12.5% in the "
            "highest-need schools and 2.5% in the lowest-need schools, a gap of +10.0 "
            "percentage points (95% interval +1.2 to +18.8).") in text
    # CDE's words for teacher assignments, explained beside the staffing table
    assert ("Ineffective: an emergency permit or waiver, no credential, or a credentialed "
            "teacher without authorization for the assignment (misassigned).") in text
    assert "larger than chance alone would explain" in text
    # every chart has its caption and points at a table on the page
    figures = list(page.iter("figure"))
    assert {f.attrs["id"] for f in figures} == {"money-chart", "staff-novice", "staff-turnover"}
    ids = {n.attrs.get("id") for n in page.iter() if n.attrs.get("id")}
    for f in figures:
        assert f.attrs["data-table"] in ids
        assert chart_spec(f)["data"]["values"]
        assert "Alder Elementary ($14,200)" in f.text() or f.attrs["id"] != "money-chart"
    money = next(t for t in page.iter("table") if t.attrs.get("id") == "money-table")
    rows = [" | ".join(c.text().strip() for c in tr.children if isinstance(c, type(page)))
            for tr in money.iter("tr")]
    assert rows[1] == "Alder Elementary | Highest need | 1.2 | 420 | $14,200 | $3,100 | 4.2"
    assert rows[3] == "Cedar High | fewer than 11 students"  # suppressed: no number at all
    staff = next(t for t in page.iter("table") if t.attrs.get("id") == "staff-table")
    assert "fewer than 11 teachers" in staff.text()
    assert "1.19 (95% interval 1.05 to 1.35)" in text and "more in higher-need schools" in text
    # reachable from every page's navigation, and in Spanish
    assert 'href="resources.html"' in (site / "en" / "index.html").read_text("utf-8")
    assert 'href="../resources.html"' in (site / "en" / "schools" / "S1.html").read_text("utf-8")
    es = " ".join(parse(site / "es" / "resources.html").text().split())
    assert "¿Siguen los recursos a la necesidad?" in es
    assert "12,5 % en las escuelas con más necesidad" in es and "14.200 US$" in es


def test_no_resources_page_without_resources_files(published, tmp_path):
    import shutil

    bare = tmp_path / "data"
    shutil.copytree(published, bare)
    for f in bare.glob("resources_*.csv"):
        f.unlink()
    build_site(bare, tmp_path / "site", pdf=False)
    assert not (tmp_path / "site" / "en" / "resources.html").exists()
    assert "resources.html" not in (tmp_path / "site" / "en" / "index.html").read_text("utf-8")


def test_catalog_covers_every_message():
    """Every string marked for translation (Python and templates) has a Spanish translation
    with the same placeholders."""
    from babel.messages.extract import extract_from_dir

    from gapwatch.report import i18n

    root = Path(i18n.__file__).parent
    found = extract_from_dir(
        root, [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")],
        {"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None})
    es = i18n.translations("es")
    ids = [m[2] for m in found]
    assert len(ids) > 100
    for msg in ids:
        singular = msg[0] if isinstance(msg, tuple) else msg
        translated = es.ngettext(msg[0], msg[1], 2) if isinstance(msg, tuple) \
            else es.gettext(msg)
        assert translated != singular or singular in {"No", "Color", "%(series)s: %(values)s"}, \
            f"not translated: {singular!r}"
        placeholders = set(re.findall(r"%\(\w+\)s", singular))
        assert set(re.findall(r"%\(\w+\)s", translated)) == placeholders, singular


def test_build_needs_the_published_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="published folder"):
        build_site(tmp_path, tmp_path / "out", pdf=False)


def test_build_in_place_next_to_the_published_folder(tmp_path):
    """``gapwatch report`` builds into the folder that holds ``data/`` (SITE/data -> SITE/)."""
    data = make_site_data(tmp_path / "SITE")
    before = (data / "indicators.csv").read_bytes()
    summary = build_site(data, tmp_path / "SITE", pdf=False)
    assert (data / "indicators.csv").read_bytes() == before
    assert (tmp_path / "SITE" / "en" / "index.html").is_file()
    assert str(summary).startswith("13 pages in 2 languages, 3 schools, 0 PDFs")


def test_a_pool_of_workers_writes_the_same_pages(published, site, tmp_path):
    """School pages rendered in two processes are byte for byte the pages of one process."""
    summary = build_site(published, tmp_path / "pooled", pdf=False, workers=2)
    assert summary.schools == ["S1", "S2", "S3"] and not summary.pdfs
    for lang in ("en", "es"):
        for rel in PAGES:
            assert (tmp_path / "pooled" / lang / rel).read_bytes() == (
                site / lang / rel).read_bytes(), f"{lang}/{rel}"


def test_methodology_page_says_which_rules_were_used(site, published, tmp_path):
    """The participation rule is named on or off, and the ELPI split rule is stated."""
    text = " ".join(parse(site / "en" / "methodology.html").text().split())
    assert "This district did not turn that rule on" in text
    assert "split each level in the middle of its score range" in text
    es = " ".join(parse(site / "es" / "methodology.html").text().split())
    assert "Este distrito no activó esa regla" in es
    copy = tmp_path / "data"
    shutil.copytree(published, copy)
    (copy / "methods.json").write_text(json.dumps(
        {"participation_rule": {"applied": {"value": "on", "verified": True}}}))
    build_site(copy, tmp_path / "on", pdf=False)
    text = " ".join(parse(tmp_path / "on" / "en" / "methodology.html").text().split())
    assert "This district turned the rule on." in text and "middle of its score" not in text
    (copy / "methods.json").unlink()
    build_site(copy, tmp_path / "none", pdf=False)
    text = " ".join(parse(tmp_path / "none" / "en" / "methodology.html").text().split())
    assert "do not say whether the state's 95% participation rule was applied" in text


def test_methodology_page_names_what_could_not_be_computed(published, tmp_path):
    """Indicators the district's data could not support are listed with what they need, in
    both languages; a site without such indicators has no such section."""
    copy = tmp_path / "data"
    shutil.copytree(published, copy)
    (copy / "methods.json").write_text(json.dumps({"not_computed": {
        "Four-year graduation rate": {"value": "graduation_cohorts", "verified": True}}}))
    build_site(copy, tmp_path / "site", pdf=False)
    text = " ".join(parse(tmp_path / "site" / "en" / "methodology.html").text().split())
    assert "What this report could not compute" in text
    assert "Four-year graduation rate: needs the district's graduation_cohorts data" in text
    es = " ".join(parse(tmp_path / "site" / "es" / "methodology.html").text().split())
    assert "Lo que este informe no pudo calcular" in es
    assert "necesita los datos de graduation_cohorts del distrito" in es
    plain = " ".join(parse(tmp_path / "site" / "en" / "methodology.html").text().split())
    (copy / "methods.json").write_text("{}")
    build_site(copy, tmp_path / "none", pdf=False)
    none = " ".join(parse(tmp_path / "none" / "en" / "methodology.html").text().split())
    assert "could not compute" not in none and plain != none
