"""Problems found in a bundle: one row per rule a row breaks, kept in DuckDB.

An ``error`` rejects its row (the row is kept, whole, in the rejects table and ``rejects.csv``);
a ``warning`` is reported but the row is loaded. A row that breaks several rules has several
problems and is counted once as rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import duckdb


class Severity(StrEnum):
    ERROR = "error"  #: the row is rejected
    WARNING = "warning"  #: the row is loaded; the problem is reported


class Stage(StrEnum):
    """Which check found the problem (the order checks run in)."""

    PARSE = "parse"  #: the CSV record could not be split into the header's columns
    CELL = "cell"  #: a value is missing, of the wrong kind, an unknown code or implausible
    ROW = "row"  #: a rule between columns of the row (dates in the school year, days absent)
    KEY = "key"  #: a repeated key
    REFERENCE = "reference"  #: a reference to another table that does not resolve
    ATTENDANCE = "attendance"  #: daily attendance against enrollments


#: The problems table on the ingest connection. ``row_id`` is the staged row (NULL for rows
#: that could not be parsed); ``raw_row`` holds such a row's original text.
PROBLEMS_DDL = """
CREATE TABLE IF NOT EXISTS problems (
    table_name VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    line BIGINT,
    row_id BIGINT,
    "column" VARCHAR NOT NULL,
    value VARCHAR,
    reason VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    raw_row VARCHAR
)
"""

#: Columns of ``rejects.csv`` and of the warehouse's ``rejects`` table, in order.
REJECT_COLUMNS = (
    "table_name", "file", "line", "column", "value", "reason", "severity", "stage", "raw_row",
)


@dataclass(frozen=True)
class Problem:
    """A problem found outside SQL (rows the CSV parser could not split)."""

    file: str
    line: int
    column: str
    value: str
    reason: str
    severity: Severity
    raw_row: str


def record_parse_problems(
    con: duckdb.DuckDBPyConnection, table_name: str, problems: list[Problem]
) -> None:
    """Insert problems found while reading a file."""
    if not problems:
        return
    con.executemany(
        "INSERT INTO problems VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)",
        [
            (table_name, p.file, p.line, p.column, p.value, p.reason, p.severity.value,
             Stage.PARSE.value, p.raw_row)
            for p in problems
        ],
    )
