"""Read one CSV or Parquet file into a DuckDB staging table: every cell as text, with its line.

A staging table has the columns ``_file`` (the file name as the user knows it), ``_line`` (the
line of the CSV record, header = line 1; for Parquet the row number, first row = 1) and one
VARCHAR column per column of the file, named as in the header (trimmed, lower case).

Rows the CSV parser cannot split into the header's columns, and rows that are not valid UTF-8,
are not staged: they come back as :class:`Problem` rows so that every row read is accounted
for. Files that cannot be read at all raise :class:`FileRefused` with a message naming the file.

Line numbers are exact. DuckDB's parallel CSV reader does the work; it numbers records, not
physical lines, so when a file has blank lines or quoted fields that span lines we read it a
second, slower way (Python's csv module) that knows each record's physical line.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from gapwatch.ingest.problems import Problem, Severity
from gapwatch.sql import quote_ident, sql_string

#: CSV dialect of the contract: comma-separated, double-quoted, UTF-8 with or without BOM.
CSV_OPTIONS = "delim=',', quote='\"', escape='\"', header=true, auto_detect=false, strict_mode=true"


class FileRefused(Exception):
    """A whole file cannot be read; the message names the file and says what to do."""


@dataclass
class StagedFile:
    """What reading one file produced."""

    path: Path
    label: str  #: the file name shown to the user
    staging: str  #: DuckDB table holding the rows that parsed
    columns: list[str]  #: header names, trimmed and lower-cased, in file order
    rows_staged: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.rows_staged + len(self.problems)


def read_file(
    con: duckdb.DuckDBPyConnection, path: Path, staging: str, *, label: str | None = None
) -> StagedFile:
    """Stage ``path`` (``.csv`` or ``.parquet``) as table ``staging`` on ``con``."""
    label = label or path.name
    if not path.is_file():
        raise FileRefused(f"{label}: file not found")
    if path.stat().st_size == 0:
        raise FileRefused(
            f"{label}: the file is empty (0 bytes), not even a header row. Add the header row "
            "of the table, or remove the file if you have no data for it."
        )
    if path.suffix.lower() == ".parquet":
        return _read_parquet(con, path, staging, label)
    return _read_csv(con, path, staging, label)


# --- CSV -------------------------------------------------------------------------------------


def _read_header(path: Path, label: str) -> list[str]:
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        raise FileRefused(
            f"{label}: the file looks UTF-16 encoded (or binary). Save it as CSV UTF-8."
        )
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FileRefused(
            f"{label}, line 1 (header): not valid UTF-8 at byte {err.start + 1}. "
            "Save the file as CSV UTF-8."
        ) from None
    names = [n.strip().lower() for n in next(csv.reader([text]), [])]
    if not names or names == [""]:
        raise FileRefused(f"{label}, line 1: the header row is empty")
    blanks = [i + 1 for i, n in enumerate(names) if not n]
    if blanks:
        raise FileRefused(f"{label}, line 1: header column {blanks[0]} has no name")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise FileRefused(f"{label}, line 1: column {name!r} appears twice in the header")
        seen.add(name)
    return names


def _physical_lines(path: Path) -> int:
    """Number of lines in the file (a last line without a newline counts)."""
    count = 0
    last = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 24):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (1 if last not in (b"", b"\n") else 0)


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, staging: str, label: str) -> StagedFile:
    names = _read_header(path, label)
    columns = "{" + ", ".join(f"{sql_string(n)}: 'VARCHAR'" for n in names) + "}"
    tmp = f"{staging}__parsed"
    con.execute(f"DROP TABLE IF EXISTS {tmp}")
    con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    try:
        con.execute(
            f"CREATE TABLE {tmp} AS SELECT * FROM read_csv({sql_string(str(path))}, "
            f"columns={columns}, {CSV_OPTIONS}, store_rejects=true, "
            "rejects_table='reject_errors', rejects_scan='reject_scans')"
        )
    except duckdb.Error as err:
        raise FileRefused(f"{label}: cannot be read as CSV: {err}") from None
    rejected = con.execute(
        "SELECT line, any_value(csv_line), any_value(error_type)::VARCHAR "
        "FROM reject_errors GROUP BY line ORDER BY line"
    ).fetchall()
    good = con.execute(f"SELECT count(*) FROM {tmp}").fetchone()[0]
    total = good + len(rejected)
    if _physical_lines(path) != total + 1:
        # Blank lines or records spanning lines: DuckDB's record numbers are not line numbers.
        con.execute(f"DROP TABLE {tmp}")
        return _read_csv_exact(con, path, staging, label, names)
    problems = [_structural(label, line, text, kind, len(names)) for line, text, kind in rejected]
    cols = ", ".join(quote_ident(n) for n in names)
    if rejected:
        rejected_lines = ", ".join(str(r[0]) for r in rejected)
        con.execute(
            f"CREATE OR REPLACE TABLE {staging} AS "
            f"WITH g AS (SELECT ln, row_number() OVER (ORDER BY ln) - 1 AS k "
            f"FROM range(2, {total + 2}) r(ln) WHERE ln NOT IN ({rejected_lines})) "
            f"SELECT {sql_string(label)} AS _file, g.ln AS _line, {cols} "
            f"FROM {tmp} t JOIN g ON g.k = t.rowid ORDER BY g.ln"
        )
    else:
        con.execute(
            f"CREATE OR REPLACE TABLE {staging} AS SELECT {sql_string(label)} AS _file, "
            f"rowid + 2 AS _line, {cols} FROM {tmp} ORDER BY rowid"
        )
    con.execute(f"DROP TABLE {tmp}")
    return StagedFile(path, label, staging, names, good, problems)


_STRUCTURAL_REASON = {
    "MISSING COLUMNS": "has fewer fields than the header ({n} columns)",
    "TOO MANY COLUMNS": "has more fields than the header ({n} columns)",
    "INVALID ENCODING": "is not valid UTF-8 text: save the file as CSV UTF-8",
    "UNQUOTED VALUE": "has a quote character inside an unquoted field",
    "LINE SIZE OVER MAXIMUM": "is longer than the maximum line size",
}


def _structural(label: str, line: int, text: str | None, kind: str, ncols: int) -> Problem:
    reason = _STRUCTURAL_REASON.get(kind, "cannot be parsed as CSV ({kind})")
    return Problem(
        file=label,
        line=int(line),
        column="",
        value=(text or "").strip("\r\n")[:500],
        reason="row " + reason.format(n=ncols, kind=kind.lower()),
        severity=Severity.ERROR,
        raw_row=(text or "").strip("\r\n"),
    )


def _read_csv_exact(
    con: duckdb.DuckDBPyConnection, path: Path, staging: str, label: str, names: list[str]
) -> StagedFile:
    """Slow, exact reader: Python's csv module, which knows each record's physical line."""
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    text = data.decode("utf-8", errors="surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    next(reader)  # header, already read
    columns: list[list[str | None]] = [[] for _ in names]
    lines: list[int] = []
    problems: list[Problem] = []
    start = reader.line_num + 1
    for record in reader:
        line = start
        start = reader.line_num + 1
        if not record:
            continue  # blank line: not a row
        raw = ",".join(record)
        if any("\udc80" <= ch <= "\udcff" for field_ in record for ch in field_):
            kind = "INVALID ENCODING"
        elif len(record) != len(names):
            kind = "MISSING COLUMNS" if len(record) < len(names) else "TOO MANY COLUMNS"
        else:
            lines.append(line)
            for i, value in enumerate(record):
                columns[i].append(value if value != "" else None)
            continue
        safe = raw.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
        problems.append(_structural(label, line, safe, kind, len(names)))
    arrays = [pa.array([label] * len(lines), pa.string()), pa.array(lines, pa.int64())]
    arrays += [pa.array(col, pa.string()) for col in columns]
    arrow = pa.Table.from_arrays(arrays, names=["_file", "_line", *names])
    con.register("__exact_csv", arrow)
    con.execute(f"CREATE OR REPLACE TABLE {staging} AS SELECT * FROM __exact_csv")
    con.unregister("__exact_csv")
    return StagedFile(path, label, staging, names, len(lines), problems)


# --- Parquet ---------------------------------------------------------------------------------


def _read_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, staging: str, label: str
) -> StagedFile:
    source = f"read_parquet({sql_string(str(path))}, file_row_number=true)"
    try:
        schema = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    except duckdb.Error as err:
        raise FileRefused(f"{label}: not a readable Parquet file ({_first_line(err)})") from None
    names: list[str] = []
    selects: list[str] = []
    for name, dtype, *_ in schema:
        if name == "file_row_number":
            continue
        norm = name.strip().lower()
        if norm in names:
            raise FileRefused(f"{label}: column {norm!r} appears twice")
        names.append(norm)
        selects.append(f"{_parquet_to_text(quote_ident(name), dtype)} AS {quote_ident(norm)}")
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {staging} AS SELECT {sql_string(label)} AS _file, "
            f"file_row_number + 1 AS _line, {', '.join(selects)} FROM {source} "
            "ORDER BY file_row_number"
        )
    except duckdb.Error as err:
        raise FileRefused(f"{label}: not a readable Parquet file ({_first_line(err)})") from None
    rows = con.execute(f"SELECT count(*) FROM {staging}").fetchone()[0]
    return StagedFile(path, label, staging, names, rows)


def _parquet_to_text(column: str, dtype: str) -> str:
    """Parquet values as the text a CSV would hold (dates ISO, booleans true/false)."""
    upper = dtype.upper()
    if upper.startswith("TIMESTAMP"):
        # A date stored as a timestamp: keep the date when the time is midnight, else the whole.
        return (
            f"CASE WHEN CAST({column} AS TIME) = TIME '00:00:00' "
            f"THEN strftime({column}, '%Y-%m-%d') ELSE CAST({column} AS VARCHAR) END"
        )
    if upper in ("FLOAT", "DOUBLE") or upper.startswith("DECIMAL"):
        # 180.0 -> '180'; keep other numbers exactly as DuckDB prints them.
        return (
            f"CASE WHEN {column} = trunc({column}) AND abs({column}) < 1e15 "
            f"THEN CAST(CAST({column} AS BIGINT) AS VARCHAR) ELSE CAST({column} AS VARCHAR) END"
        )
    return f"CAST({column} AS VARCHAR)"


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
