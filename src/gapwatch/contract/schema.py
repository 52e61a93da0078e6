"""The building blocks of the data contract: column kinds, columns, tables.

The contract itself (which tables, which columns) lives in :mod:`gapwatch.contract.tables`
as data built from these classes; validation, the synthetic generator and the documentation
all read it from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a column's text is parsed and stored in the warehouse."""

    ID = "id"  #: identifier, kept as text (leading zeros matter)
    TEXT = "text"  #: free text
    INT = "int"  #: whole number
    DECIMAL = "decimal"  #: number with a fractional part (days, FTE)
    MONEY = "money"  #: dollars with cents
    DATE = "date"  #: ISO 8601 calendar date, YYYY-MM-DD
    BOOL = "bool"  #: true/false, 1/0, Y/N (any case)
    GRADE = "grade"  #: TK, K, 1..12 stored as -1, 0, 1..12; UG (ungraded) stored as NULL
    YEAR = "year"  #: school year named by its spring year (2025 = 2024-25)
    CODE = "code"  #: one code from a code set
    CODE_LIST = "code_list"  #: semicolon-separated codes from a code set


#: DuckDB storage type of each kind.
SQL_TYPE: dict[Kind, str] = {
    Kind.ID: "VARCHAR",
    Kind.TEXT: "VARCHAR",
    Kind.INT: "INTEGER",
    Kind.DECIMAL: "DOUBLE",
    Kind.MONEY: "DECIMAL(18,2)",
    Kind.DATE: "DATE",
    Kind.BOOL: "BOOLEAN",
    Kind.GRADE: "SMALLINT",
    Kind.YEAR: "SMALLINT",
    Kind.CODE: "VARCHAR",
    Kind.CODE_LIST: "VARCHAR",
}

#: Accepted spellings of booleans (compared case-insensitively after trimming).
TRUE_WORDS = ("true", "1", "y")
FALSE_WORDS = ("false", "0", "n")

#: Grade labels and the integers they are stored as. ``UG`` is stored as NULL.
GRADE_VALUES: dict[str, int | None] = {"TK": -1, "K": 0, **{str(g): g for g in range(1, 13)}}
UNGRADED = "UG"

#: School years accepted anywhere in the contract (spring year).
YEAR_RANGE = (1990, 2100)


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    ``codes`` names a code set in :data:`gapwatch.contract.codes.CODE_SETS` for CODE and
    CODE_LIST kinds. ``low``/``high`` bound numbers (inclusive); values outside are rejected as
    implausible. ``example`` is the value shown in the documentation's example row.
    """

    name: str
    kind: Kind
    required: bool
    description: str
    example: str
    codes: str | None = None
    low: float | None = None
    high: float | None = None

    @property
    def sql_type(self) -> str:
        return SQL_TYPE[self.kind]


@dataclass(frozen=True)
class ForeignKey:
    """``columns`` of this table must match ``ref_columns`` of a row in ``ref_table``."""

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class DateRule:
    """A date column that must fall inside the school year named by ``year_column``.

    School year Y runs from July 1 of Y-1 to June 30 of Y. ``years_after`` widens the end
    (a five-year graduate's diploma date falls after the cohort year).
    """

    column: str
    year_column: str
    years_after: int = 0


@dataclass(frozen=True)
class RowCheck:
    """A rule between columns of one row, written in SQL over the row's parsed values.

    ``invalid_when`` is true for a row that breaks the rule (NULLs never break it unless the
    SQL says so); ``reason`` is a SQL expression giving the message, reported on ``column``.
    When ``unless_table`` is given, the rule does not apply to a bundle that has that table.
    """

    column: str
    invalid_when: str
    reason: str
    description: str
    unless_table: str | None = None


@dataclass(frozen=True)
class Table:
    """One table of the contract, with its keys and the rules that span rows."""

    name: str
    required: bool
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    date_rules: tuple[DateRule, ...] = ()
    row_checks: tuple[RowCheck, ...] = ()
    unlocks: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)
