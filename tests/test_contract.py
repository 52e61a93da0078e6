"""The contract as data agrees with DATA_MODEL.md and with itself; its docs are current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gapwatch.contract import CODE_SETS, TABLES, Kind, table
from gapwatch.contract.codes import ADDED_CODES
from gapwatch.contract.docs import render_data_model
from gapwatch.contract.tables import ADDED_COLUMNS, ADDED_TABLES

ROOT = Path(__file__).resolve().parents[1]
SHARED_MODEL = ROOT.parent / "shared" / "design" / "DATA_MODEL.md"


def test_every_code_and_key_refers_to_something_real() -> None:
    names = {t.name for t in TABLES}
    for t in TABLES:
        cols = set(t.column_names)
        assert len(cols) == len(t.columns), f"{t.name}: duplicate column names"
        assert set(t.key) <= cols, t.name
        for col in t.columns:
            assert (col.codes is not None) == (col.kind in (Kind.CODE, Kind.CODE_LIST)), col
            assert col.codes is None or col.codes in CODE_SETS, col
            if col.low is not None:
                assert col.high is not None and col.low <= col.high, col
        for fk in t.foreign_keys:
            assert fk.ref_table in names, fk
            assert set(fk.columns) <= cols, fk
            assert set(fk.ref_columns) <= set(table(fk.ref_table).column_names), fk
        for rule in t.date_rules:
            assert table(t.name).column(rule.column).kind is Kind.DATE
            assert rule.year_column in cols


def test_referenced_tables_load_first() -> None:
    order = [t.name for t in TABLES]
    for t in TABLES:
        for fk in t.foreign_keys:
            assert order.index(fk.ref_table) < order.index(t.name), (t.name, fk.ref_table)


def test_required_tables_are_the_contracts() -> None:
    assert [t.name for t in TABLES if t.required] == ["schools", "students", "enrollments"]


def test_unknown_table_error_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="schools"):
        table("pupils")


@pytest.mark.skipif(not SHARED_MODEL.exists(), reason="../shared/design/DATA_MODEL.md is absent")
def test_table_and_column_names_match_the_shared_contract() -> None:
    """Every table heading and every backticked column name in DATA_MODEL.md is in the code."""
    text = SHARED_MODEL.read_text(encoding="utf-8")
    headings = re.findall(r"^### (.+)$", text, flags=re.M)
    documented: set[str] = set()
    for heading in headings:
        documented.update(re.findall(r"[a-z_]+", heading.replace(" and ", " ")))
    assert {t.name for t in TABLES} == documented | set(ADDED_TABLES)
    assert not documented & set(ADDED_TABLES), "a table of DATA_MODEL.md is not an addition"
    assert all(not table(n).required for n in ADDED_TABLES), "added tables are optional"
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        heading, body = section.split("\n", 1)
        body = body.split("\n## ")[0]
        names = [n for n in re.findall(r"[a-z_]+", heading) if n != "and"]
        columns = {c for n in names for c in table(n).column_names}
        for token in re.findall(r"`([a-z_]+)`", body):
            if token in {t.name for t in TABLES} or len(token) == 1:
                continue  # a table named in passing, or an a-g code
            assert token in columns, f"{heading}: `{token}` from DATA_MODEL.md not in the contract"
        for n in names:
            for column in table(n).column_names:
                if f"{n}.{column}" in ADDED_COLUMNS:  # a declared addition to contract v1
                    assert f"`{column}`" not in body, f"{n}.{column} is not an addition"
                    continue
                assert f"`{column}`" in body, f"{heading}: {column} is not in DATA_MODEL.md"


@pytest.mark.skipif(not SHARED_MODEL.exists(), reason="../shared/design/DATA_MODEL.md is absent")
def test_code_sets_match_the_shared_contract() -> None:
    text = SHARED_MODEL.read_text(encoding="utf-8")
    for name, codes in CODE_SETS.items():
        for code in codes:
            if code in {"A+", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-"}:
                continue  # the contract writes the mark scale as "A+ ... F"
            if len(code) == 1 and code in "abcdefg":
                continue  # "a–g"
            if code in {"T2", "Q2", "Q3"}:
                continue  # "T1–T3", "Q1–Q4"
            if code in ADDED_CODES.get(name, ()):
                continue  # a declared addition to contract v1
            assert f"`{code}`" in text, f"code {code!r} not in DATA_MODEL.md"


def test_data_model_doc_is_current() -> None:
    doc = ROOT / "docs" / "data-model.md"
    assert doc.read_text(encoding="utf-8") == render_data_model(), (
        "docs/data-model.md is out of date: run `make docs`"
    )


def test_data_model_doc_covers_every_column_and_code() -> None:
    text = render_data_model()
    for t in TABLES:
        assert f"### {t.name}" in text
        for col in t.columns:
            assert f"| `{col.name}` |" in text
    for codes in CODE_SETS.values():
        for code in codes:
            assert f"| `{code}` |" in text
    for name in ADDED_COLUMNS:
        assert f"| column `{name}` |" in text
    for name in ADDED_TABLES:
        assert f"| table `{name}` |" in text
    assert set(ADDED_CODES) <= set(CODE_SETS)
    assert all(set(c) <= set(CODE_SETS[n]) for n, c in ADDED_CODES.items())
