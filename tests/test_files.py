"""gapwatch.files: neutralised CSV cells, owner-only files, and which folders may be replaced."""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gapwatch.files import (
    FolderRefused,
    check_replaceable,
    claim_folder,
    copy_query,
    marker_name,
    neutralise,
    owner_only,
    private_file,
    read_rows,
    replace_folder,
    restore,
    write_arrow,
    write_rows,
)

PAYLOADS = ['=HYPERLINK("http://evil.example/x","Click")', "+1", "-2+3", "@SUM(A1:A2)",
            "\t=1", "\r=1"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


# -- neutralising -------------------------------------------------------------------------

@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_get_an_apostrophe(payload: str) -> None:
    assert neutralise(payload) == "'" + payload
    assert restore(neutralise(payload)) == payload


def test_numbers_and_plain_text_are_left_alone() -> None:
    assert neutralise(-2.5) == -2.5 and neutralise(-3) == -3 and neutralise(None) is None
    assert neutralise("Lincoln High") == "Lincoln High" and neutralise("") == ""
    assert neutralise("'quoted") == "''quoted"  # so that restore can tell the two apart


@given(text)
def test_neutralising_is_one_to_one_and_never_starts_a_formula(value: str) -> None:
    safe = neutralise(value)
    assert not safe.startswith(TRIGGERS)
    assert restore(safe) == value


@given(st.lists(st.tuples(text, st.integers(-10**6, 10**6),
                          st.floats(-1e6, 1e6, allow_nan=False)), max_size=8))
def test_write_rows_round_trips_through_the_csv_module(tmp_path_factory, rows) -> None:
    path = tmp_path_factory.mktemp("rows") / "t.csv"
    write_rows(path, ("name", "count", "value"), rows, fmt=repr)
    written = csv_rows(path)
    assert written[0] == ["name", "count", "value"]
    assert len(written) == len(rows) + 1  # a carriage return in a name ends no record
    for (name, count, value), cells in zip(rows, written[1:], strict=True):
        assert cells == [neutralise(name), repr(count), repr(value)]
        assert not cells[0].startswith(TRIGGERS)
    assert [r["name"] for r in read_rows(path)] == [name for name, _, _ in rows]


def test_write_arrow_neutralises_every_text_column_only(tmp_path: Path) -> None:
    table = pa.table({
        "name": pa.array(PAYLOADS + [None, "Oak"], pa.string()),
        "big": pa.array(["-x"] * 7 + ["ok"], pa.large_string()),
        "code": pa.array(["=a", "b"] * 4).dictionary_encode(),
        "value": pa.array([-1.5, 2.0, -3.25, 4.0, -5.0, 6.0, -7.0, None]),
        "n": pa.array([-1, 2, -3, 4, -5, 6, -7, 8], pa.int64()),
    })
    path = tmp_path / "t.csv"
    write_arrow(table, path)
    back = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={"name": pa.string(), "big": pa.string(), "code": pa.string()},
        strings_can_be_null=True))
    assert back.column("name").to_pylist() == ["'" + p for p in PAYLOADS] + [None, "Oak"]
    assert back.column("big").to_pylist() == ["'-x"] * 7 + ["ok"]
    assert back.column("code").to_pylist() == ["'=a", "b"] * 4
    assert back.column("value").to_pylist() == table.column("value").to_pylist()
    assert back.column("n").to_pylist() == table.column("n").to_pylist()


def test_copy_query_neutralises_text_and_keeps_order(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT (hash(i) % 1000000)::BIGINT AS k, -i AS neg, "
                "CASE i % 4 WHEN 0 THEN '=x' || i WHEN 1 THEN '+' || i WHEN 2 THEN 'ok' "
                "ELSE NULL END AS s FROM range(300000) r(i)")
    query = "SELECT k, neg, s FROM t ORDER BY k, neg"
    copy_query(con, query, tmp_path / "safe.csv")
    con.execute(f"COPY ({query}) TO '{tmp_path / 'plain.csv'}' (HEADER)")
    safe, plain = csv_rows(tmp_path / "safe.csv"), csv_rows(tmp_path / "plain.csv")
    assert len(safe) == len(plain) == 300001 and safe[0] == plain[0]
    for got, raw in zip(safe, plain, strict=True):
        assert got[:2] == raw[:2]  # same order, numbers (negative ones too) unchanged
        assert got[2] == neutralise(raw[2])
    assert not con.execute("SELECT * FROM duckdb_tables() WHERE temporary").fetchall()


# -- owner-only files ---------------------------------------------------------------------

def test_private_file_is_owner_only_and_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "rejects.csv"
    target.write_text("old\n", encoding="utf-8")
    os.chmod(target, 0o644)
    with private_file(target) as building:
        assert building.parent != tmp_path and mode(building.parent) == 0o700
        building.write_text("new\n", encoding="utf-8")
        assert mode(building) == 0o600  # owner-only from its first byte (umask 077)
        assert target.read_text("utf-8") == "old\n"  # not replaced until the block ends
    assert target.read_text("utf-8") == "new\n" and mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rejects.csv"]


def test_private_file_leaves_the_target_alone_on_error(tmp_path: Path) -> None:
    target = tmp_path / "w.duckdb"
    target.write_text("previous", encoding="utf-8")
    with pytest.raises(RuntimeError), private_file(target) as building:
        building.write_text("half", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert target.read_text("utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb"]


def test_owner_only_nests_and_restores_the_umask(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        with owner_only():
            with owner_only():
                (tmp_path / "a").write_text("x", encoding="utf-8")
            (tmp_path / "b").write_text("x", encoding="utf-8")
            (tmp_path / "d").mkdir()
        (tmp_path / "c").write_text("x", encoding="utf-8")
        assert [mode(tmp_path / n) for n in "abdc"] == [0o600, 0o600, 0o700, 0o644]
    finally:
        os.umask(before)


# -- folders that may be replaced ---------------------------------------------------------

def build(out: Path, kind: str = "site", *, public: bool = True, **kw) -> None:
    with replace_folder(out, kind, public=public, **kw) as staging:
        (staging / "data").mkdir()
        (staging / "data" / "a.csv").write_text("a\n", encoding="utf-8")
        (staging / "index.html").write_text("<p>", encoding="utf-8")


def test_new_and_empty_folders_are_replaced(tmp_path: Path) -> None:
    build(tmp_path / "new")
    (tmp_path / "empty").mkdir()
    build(tmp_path / "empty", public=False)
    for name, dirs, files in (("new", 0o755, 0o644), ("empty", 0o700, 0o600)):
        out = tmp_path / name
        assert mode(out) == dirs and mode(out / "data") == dirs
        assert mode(out / "index.html") == files and mode(out / "data" / "a.csv") == files
    marker = json.loads((tmp_path / "new" / marker_name("site")).read_text("utf-8"))
    assert marker["kind"] == "site" and marker["files"] == ["data/a.csv", "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "new"]  # nothing left over


def test_a_previous_folder_of_the_same_kind_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out)
    (out / "index.html").write_text("edited", encoding="utf-8")  # listed: may be replaced
    (out / "data" / "a.csv").unlink()
    build(out)
    assert (out / "index.html").read_text("utf-8") == "<p>"


@pytest.mark.parametrize("case", ["foreign", "extra file", "extra link", "other kind",
                                  "bad marker", "a file"])
def test_refused_folders_are_left_untouched(tmp_path: Path, case: str) -> None:
    out = tmp_path / "out"
    if case == "a file":
        out.write_text("mine", encoding="utf-8")
    elif case == "foreign":
        out.mkdir()
        (out / "thesis.docx").write_text("years of work", encoding="utf-8")
    else:
        build(out, "export" if case == "other kind" else "site")
        if case == "extra file":
            (out / "data" / "mine.txt").write_text("mine", encoding="utf-8")
        elif case == "extra link":
            (out / "elsewhere").symlink_to(tmp_path)
        elif case == "bad marker":
            (out / marker_name("site")).write_text("{", encoding="utf-8")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.is_symlink()}
    with pytest.raises(FolderRefused) as refused:
        build(out)
    message = str(refused.value)
    assert str(out) in message
    assert {"foreign": "not a previous gapwatch public site", "extra file": "data/mine.txt",
            "extra link": "elsewhere", "other kind": "holds a gapwatch staff export",
            "bad marker": "cannot be read", "a file": "is a file"}[case] in message
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.is_symlink()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("where", ["same", "parent", "ancestor"])
def test_a_folder_holding_the_warehouse_is_never_replaced(tmp_path: Path, where: str) -> None:
    out = tmp_path / "site"
    build(out)
    warehouse = {"same": out / "w.duckdb", "parent": out / "w.duckdb",
                 "ancestor": out / "data" / "deep" / "w.duckdb"}[where]
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    warehouse.write_text("district", encoding="utf-8")
    target = out if where != "same" else out
    with pytest.raises(FolderRefused, match="holds the warehouse"):
        check_replaceable(target, "site", warehouse=warehouse)
    # even an empty or missing folder on the warehouse's path is refused
    with pytest.raises(FolderRefused, match="holds the warehouse"):
        check_replaceable(tmp_path, "site", warehouse=tmp_path / "none" / "w.duckdb")
    assert warehouse.read_text("utf-8") == "district"


def test_a_failed_build_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out)
    before = (out / "index.html").read_bytes()
    with pytest.raises(RuntimeError), replace_folder(out, "site", public=True) as staging:
        (staging / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("the audit failed")
    assert (out / "index.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_folder_that_changed_during_the_build_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(out)
    with pytest.raises(FolderRefused, match="notes.txt"), \
            replace_folder(out, "site", public=True) as staging:
        (staging / "index.html").write_text("new", encoding="utf-8")
        (out / "notes.txt").write_text("saved meanwhile", encoding="utf-8")
    assert (out / "notes.txt").read_text("utf-8") == "saved meanwhile"
    assert (out / "index.html").read_text("utf-8") == "<p>"


def test_claim_folder(tmp_path: Path) -> None:
    demo = claim_folder(tmp_path / "demo", "demo")
    assert (demo / marker_name("demo")).is_file()
    (demo / "gapwatch.toml").write_text("x", encoding="utf-8")
    assert claim_folder(demo, "demo") == demo  # an earlier demo's folder
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "gapwatch.duckdb").write_text("a real district", encoding="utf-8")
    with pytest.raises(FolderRefused, match="not a previous gapwatch demo folder"):
        claim_folder(mine, "demo")
    assert sorted(p.name for p in mine.iterdir()) == ["gapwatch.duckdb"]
