"""The gapwatch data contract (v1): tables, columns, code sets and keys, as data."""

from gapwatch.contract.codes import CODE_SETS, STUDENT_GROUPS
from gapwatch.contract.schema import (
    GRADE_VALUES,
    UNGRADED,
    Column,
    DateRule,
    ForeignKey,
    Kind,
    RowCheck,
    Table,
)
from gapwatch.contract.tables import CONTRACT_VERSION, TABLES, TABLES_BY_NAME, table

__all__ = [
    "CODE_SETS",
    "CONTRACT_VERSION",
    "GRADE_VALUES",
    "STUDENT_GROUPS",
    "TABLES",
    "TABLES_BY_NAME",
    "UNGRADED",
    "Column",
    "DateRule",
    "ForeignKey",
    "Kind",
    "RowCheck",
    "Table",
    "table",
]
