"""School page names: one page per school id (gapwatch.report.page_names)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gapwatch.report import build_site
from gapwatch.report.page_names import PageNameCollision, page_name, page_names
from gapwatch.report.site import _slug

ids = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=10)


def decode(name: str) -> str:
    """The id a page name stands for, read independently of the encoder: ``_XX`` is a byte."""
    if name == "_":
        return ""
    out, i = bytearray(), 0
    while i < len(name):
        if name[i] == "_":
            out.append(int(name[i + 1:i + 3], 16))
            i += 3
        else:
            out += name[i].encode()
            i += 1
    return out.decode()


def test_usual_ids_keep_their_names_and_others_are_escaped() -> None:
    assert [page_name(s) for s in ("0025", "S1", "HS-01")] == ["0025", "S1", "HS-01"]
    assert page_name("A/1") == "A_2F1" and page_name("A_1") == "A_5F1"
    assert page_name("../x") == "_2E_2E_2Fx" and page_name("") == "_"
    assert page_name("é") == "_C3_A9"


@given(ids, ids)
def test_two_ids_never_share_a_page(a: str, b: str) -> None:
    assert decode(page_name(a)) == a
    assert re.fullmatch(r"[A-Za-z0-9_-]+", page_name(a))
    if a != b:
        assert page_name(a) != page_name(b)


def test_ids_differing_only_in_case_are_refused_naming_both() -> None:
    with pytest.raises(PageNameCollision) as refused:
        page_names(["S1", "S2", "s1"])
    assert "'S1'" in str(refused.value) and "'s1'" in str(refused.value)


def write_published(data: Path, schools: list[tuple[str, str]]) -> None:
    """A minimal published folder: one indicator, all students, the district and schools."""
    data.mkdir(parents=True)
    columns = ("school_year", "entity_type", "entity_id", "entity_name", "indicator",
               "indicator_name", "kind", "student_group", "group_name", "n", "percent",
               "value", "shown", "status")
    entities = [("district", "D1", "Sample Unified"), *(("school", i, n) for i, n in schools)]
    with (data / "indicators.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for etype, eid, name in entities:
            writer.writerow([2025, etype, eid, name, "math_met",
                             "Mathematics: met or exceeded standard", "rate", "ALL",
                             "All students", 120, 42.5, "", "42.5%", "published"])


def test_ids_the_old_page_names_merged_get_a_page_each(tmp_path: Path) -> None:
    schools = [("A/1", "Alder Elementary"), ("A-1", "Birch Middle"), ("A 1", "Cedar High")]
    assert len({_slug(sid) for sid, _ in schools}) == 1  # one page for three schools before
    write_published(tmp_path / "data", schools)
    summary = build_site(tmp_path / "data", tmp_path / "site", pdf=False)
    pages = sorted(p.name for p in (tmp_path / "site" / "en" / "schools").glob("*.html"))
    assert pages == sorted(f"{page_name(sid)}.html" for sid, _ in schools)
    assert len(pages) == 3 and len(summary.schools) == 3
    for sid, name in schools:
        page = (tmp_path / "site" / "en" / "schools" / f"{page_name(sid)}.html").read_text(
            "utf-8")
        assert name in page, sid
    index = (tmp_path / "site" / "en" / "index.html").read_text("utf-8")
    for sid, _name in schools:
        assert f'href="schools/{page_name(sid)}.html"' in index


def test_the_site_build_refuses_ids_that_differ_only_in_case(tmp_path: Path) -> None:
    write_published(tmp_path / "data", [("S1", "Alder Elementary"), ("s1", "Birch Middle")])
    with pytest.raises(PageNameCollision, match="'S1'.*'s1'|'s1'.*'S1'"):
        build_site(tmp_path / "data", tmp_path / "site", pdf=False)
