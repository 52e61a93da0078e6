"""Property-based tests: malformed bundles never crash ingest, lose a row or harm the warehouse.

Hypothesis damages the mini bundle (bad cells, missing or extra columns, duplicated and
truncated rows, wrong encodings, empty and truncated files, Parquet cut in half) and checks:
no exception; a refusal names the file and leaves the previous warehouse byte-for-byte intact;
otherwise, for every table, rows read = rows loaded + rows rejected, the warehouse holds exactly
the loaded rows, and every injected bad value is reported at its file, line and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from gapwatch.contract import TABLES_BY_NAME, Kind
from gapwatch.ingest import ingest_bundle

from minibundle import TABLES, write_minibundle

#: Values that break each kind of column, whatever the row.
BAD_VALUES: dict[Kind, list[str]] = {
    Kind.CODE: ["ZZ", "hispanic", "1"],
    Kind.DATE: ["2024-13-01", "09/03/2024", "2024-02-30", "yesterday"],
    Kind.BOOL: ["maybe", "2", "yes please"],
    Kind.INT: ["x", "1.5", "1,000"],
    Kind.DECIMAL: ["abc", "1,5", "nan", "inf", "1e999"],
    Kind.GRADE: ["13", "Kinder", "-1"],
    Kind.YEAR: ["twenty", "3000", "2025.5"],
}


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8", errors="surrogateescape"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bad_cells():
    """(table, data row index, column, bad value) positions to damage."""
    options = []
    for name, text in TABLES.items():
        header = text.splitlines()[0].split(",")
        rows = len(text.strip().splitlines()) - 1
        for column in header:
            kind = TABLES_BY_NAME[name].column(column).kind
            for value in BAD_VALUES.get(kind, []):
                options += [(name, r, column, value) for r in range(rows)]
    return st.lists(st.sampled_from(options), min_size=1, max_size=6,
                    unique_by=lambda o: (o[0], o[1], o[2]))


@given(cells=bad_cells())
def test_every_injected_bad_value_is_reported_and_rows_add_up(cells) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bundle = write_minibundle(Path(tmp) / "b")
        for name, row, column, value in cells:
            path = bundle / f"{name}.csv"
            rows = read_rows(path)
            rows[row + 1][rows[0].index(column)] = value
            write_rows(path, rows)
        db = Path(tmp) / "w.duckdb"
        report = ingest_bundle(bundle, db)
        assert report.exit_code == 1
        with db.with_name("rejects.csv").open(encoding="utf-8", newline="") as fh:
            found = {(r["file"], r["line"], r["column"]) for r in csv.DictReader(fh)}
        for name, row, column, _ in cells:
            assert (f"{name}.csv", str(row + 2), column) in found, (name, row, column)
        assert_rows_add_up(report, db)


def assert_rows_add_up(report, db: Path) -> None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        for name, t in report.tables.items():
            assert t.rows_read == t.rows_loaded + t.rows_rejected
            assert con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == t.rows_loaded
            rejected_lines = con.execute(
                "SELECT count(DISTINCT line) FROM rejects WHERE table_name = ? "
                "AND severity = 'error'", [name]
            ).fetchone()[0]
            assert rejected_lines == t.rows_rejected
    finally:
        con.close()


# --- arbitrary damage --------------------------------------------------------------------------


def drop_column(path: Path, data: st.DataObject) -> None:
    rows = read_rows(path)
    i = data.draw(st.integers(0, len(rows[0]) - 1))
    write_rows(path, [r[:i] + r[i + 1:] for r in rows])


def add_column(path: Path, data: st.DataObject) -> None:
    rows = read_rows(path)
    write_rows(path, [r + (["notes"] if k == 0 else ["x"]) for k, r in enumerate(rows)])


def duplicate_row(path: Path, data: st.DataObject) -> None:
    rows = read_rows(path)
    if len(rows) > 1:
        i = data.draw(st.integers(1, len(rows) - 1))
        write_rows(path, [*rows, rows[i]])


def cut_row(path: Path, data: st.DataObject) -> None:
    rows = read_rows(path)
    if len(rows) > 1:
        i = data.draw(st.integers(1, len(rows) - 1))
        rows[i] = rows[i][: data.draw(st.integers(0, len(rows[i]) - 1))]
        write_rows(path, rows)


def random_cell(path: Path, data: st.DataObject) -> None:
    rows = read_rows(path)
    if len(rows) > 1:
        i = data.draw(st.integers(1, len(rows) - 1))
        j = data.draw(st.integers(0, len(rows[i]) - 1))
        rows[i][j] = data.draw(st.text(max_size=12))
        write_rows(path, rows)


def latin1(path: Path, data: st.DataObject) -> None:
    path.write_bytes(path.read_text(encoding="utf-8").replace("e", "é").encode("latin-1"))


def utf16(path: Path, data: st.DataObject) -> None:
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))


def empty(path: Path, data: st.DataObject) -> None:
    path.write_bytes(b"")


def truncate(path: Path, data: st.DataObject) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[: data.draw(st.integers(1, len(raw)))])


def absurd_number(path: Path, data: st.DataObject) -> None:
    rows = read_rows(path)
    if len(rows) > 1:
        i = data.draw(st.integers(1, len(rows) - 1))
        j = data.draw(st.integers(0, len(rows[i]) - 1))
        rows[i][j] = data.draw(st.sampled_from(["1e308", "-99999999999999999999", "0x1F", "∞"]))
        write_rows(path, rows)


def broken_parquet(path: Path, data: st.DataObject) -> None:
    target = path.with_suffix(".parquet")
    pq.write_table(pacsv.read_csv(path), target)
    path.unlink()
    raw = target.read_bytes()
    target.write_bytes(raw[: data.draw(st.integers(0, len(raw) - 1))])


DAMAGE = [drop_column, add_column, duplicate_row, cut_row, random_cell, latin1, utf16, empty,
          truncate, absurd_number, broken_parquet]


@given(data=st.data())
def test_damaged_bundle_never_crashes_loses_rows_or_harms_the_warehouse(data) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        good = write_minibundle(Path(tmp) / "good")
        db = Path(tmp) / "w.duckdb"
        assert ingest_bundle(good, db).exit_code == 0
        before = digest(db)
        bundle = Path(tmp) / "bad"
        shutil.copytree(good, bundle)
        damaged = data.draw(st.sets(st.sampled_from(sorted(TABLES)), min_size=1, max_size=3))
        for name in sorted(damaged):
            data.draw(st.sampled_from(DAMAGE))(bundle / f"{name}.csv", data)
        report = ingest_bundle(bundle, db)  # must not raise
        assert report.exit_code in (0, 1, 2)
        if report.exit_code == 2:
            assert report.refusals
            for refusal in report.refusals:
                assert any(n in refusal for n in damaged) or "required table" in refusal
            assert digest(db) == before
        else:
            assert_rows_add_up(report, db)
        assert not [p for p in Path(tmp).iterdir() if ".building-" in p.name]
