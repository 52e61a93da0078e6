"""CSV files whose text cells a spreadsheet cannot run as formulas.

A spreadsheet that opens a CSV treats a cell beginning with ``=``, ``+``, ``-`` or ``@`` (and,
in some programs, a tab or carriage return followed by one) as a formula: a school named
``=HYPERLINK("http://...", "Click")`` becomes a live link. OWASP's "CSV Injection" guidance
(https://owasp.org/www-community/attacks/CSV_Injection) is to make every such cell begin with
a single quote, which spreadsheets read as "this is text".

Every CSV gapwatch writes goes through this module:

- only **text** cells are touched; numbers (and dates, booleans) are written as they are, so a
  negative value stays a number;
- a text cell beginning with one of :data:`TRIGGERS` gets a leading apostrophe, and so does a
  text cell that already begins with an apostrophe, so that :func:`restore` can undo it
  exactly (``'=1`` -> ``''=1`` -> ``'=1``): the encoding is one-to-one;
- three writers share that one rule: rows of Python values (:func:`write_rows`), Arrow tables
  (:func:`write_arrow`), and DuckDB tables and queries (:func:`copy_table`,
  :func:`copy_query`: a SQL expression per text column, so large exports never leave DuckDB).
"""

from __future__ import annotations

import contextlib
import csv
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from gapwatch.sql import quote_ident, sql_string

#: first characters that make a spreadsheet evaluate a cell (OWASP)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_FIRST = frozenset((*TRIGGERS, QUOTE))
_FIRST_REGEX = "^[=+\\-@\t\r']"
_serial = itertools.count()


def neutralise(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text that begins with a trigger (or an
    apostrophe); anything else unchanged."""
    if isinstance(value, str) and value[:1] in _FIRST:
        return QUOTE + value
    return value


def restore(text: str) -> str:
    """The text :func:`neutralise` was given (for gapwatch's own readers of its CSVs)."""
    if len(text) > 1 and text[0] == QUOTE and text[1] in _FIRST:
        return text[1:]
    return text


def write_rows(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]],
               fmt: Callable[[Any], str] = str) -> None:
    """Write a header and ``rows`` to ``path``: text cells neutralised, every other cell
    formatted by ``fmt`` (for example ``None`` -> ``""``, floats to one decimal)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        # the csv module quotes a field only for the characters of its line ending, so a lone
        # carriage return would end the record for a reader: such rows are quoted whole
        quoted = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow([neutralise(c) for c in columns])
        for row in rows:
            cells = [neutralise(v) if isinstance(v, str) else fmt(v) for v in row]
            (quoted if any("\r" in c for c in cells) else writer).writerow(cells)


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV gapwatch wrote, as dicts of text with neutralising undone."""
    with open(path, encoding="utf-8", newline="") as fh:
        return [{k: restore(v) if v else v for k, v in row.items()} for row in csv.DictReader(fh)]


def _is_text(typ: pa.DataType) -> bool:
    return pa.types.is_string(typ) or pa.types.is_large_string(typ)


def neutralise_arrow(table: pa.Table) -> pa.Table:
    """``table`` with every text column (plain or dictionary-encoded) neutralised."""
    columns = []
    for field, col in zip(table.schema, table.columns, strict=True):
        typ = field.type
        if pa.types.is_dictionary(typ) and _is_text(typ.value_type):
            col, typ = col.cast(typ.value_type), typ.value_type
        if _is_text(typ):
            hit = pc.match_substring_regex(col, _FIRST_REGEX)
            quote, empty = pa.scalar(QUOTE, typ), pa.scalar("", typ)
            col = pc.if_else(hit, pc.binary_join_element_wise(quote, col, empty), col)
            field = field.with_type(typ)
        columns.append((field, col))
    schema = pa.schema([f for f, _ in columns], metadata=table.schema.metadata)
    return pa.Table.from_arrays([c for _, c in columns], schema=schema)


def write_arrow(table: pa.Table, path: Path) -> None:
    """Write an Arrow table as CSV (pyarrow's format), text cells neutralised."""
    pacsv.write_csv(neutralise_arrow(table), path)


def _text_type(typ: str) -> bool:
    return typ == "VARCHAR" or typ.startswith("ENUM")


def neutral_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """``SELECT`` every column of ``table`` (a name, quoted as needed), text neutralised."""
    rel = con.sql(f"SELECT * FROM {table}")
    quotes = ", ".join(sql_string(c) for c in sorted(_FIRST))
    exprs = []
    for name, typ in zip(rel.columns, rel.types, strict=True):
        col = quote_ident(name)
        if _text_type(str(typ)):
            col = (f"CASE WHEN left({col}::VARCHAR, 1) IN ({quotes}) "
                   f"THEN {sql_string(QUOTE)} || {col}::VARCHAR ELSE {col}::VARCHAR END")
        exprs.append(f"{col} AS {quote_ident(name)}")
    return f"SELECT {', '.join(exprs)} FROM {table}"


def copy_table(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """``COPY table TO path`` as CSV with a header (DuckDB's format), text neutralised, rows in
    the table's order (its ``rowid``: DuckDB may write a parallel scan out of order)."""
    if "rowid" in con.sql(f"SELECT * FROM {table}").columns:
        raise ValueError(f"{table} has a column named rowid, which hides the row order")
    con.execute(f"COPY ({neutral_select(con, table)} ORDER BY rowid) TO "
                f"{sql_string(str(path))} (HEADER, DELIMITER ',')")


@contextlib.contextmanager
def ordered(con: duckdb.DuckDBPyConnection, query: str) -> Iterator[str]:
    """The rows of ``query`` in a temporary table, in the query's order; yields its name.

    (DuckDB does not keep a subquery's ``ORDER BY`` through an outer projection, so the
    neutralising ``SELECT`` reads a table, in ``rowid`` order.)
    """
    name = f"__gapwatch_out_{next(_serial)}"
    con.execute(f"CREATE TEMP TABLE {name} AS {query}")
    try:
        yield name
    finally:
        con.execute(f"DROP TABLE IF EXISTS {name}")


def copy_query(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    """``COPY (query) TO path`` as CSV with a header (DuckDB's format), text neutralised, rows
    in the query's order."""
    with ordered(con, query) as table:
        copy_table(con, table, path)
