"""Find a bundle's files and stage each contract table (directly or through a mapping).

After :func:`stage_bundle`, every contract table present has a staging table
``stage_<table>`` with ``_row``, ``_file``, ``_line`` and all contract columns as text
(a column the file lacks is NULL), ready for :mod:`gapwatch.ingest.validate`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from gapwatch.contract import TABLES, TABLES_BY_NAME, Table
from gapwatch.ingest.mapping import Mapping, MappingError, stage_mapped_table, stage_sources
from gapwatch.ingest.problems import record_parse_problems
from gapwatch.ingest.reader import FileRefused, StagedFile, read_file
from gapwatch.ingest.validate import staging_name
from gapwatch.sql import quote_ident

SUFFIXES = (".csv", ".parquet")


@dataclass
class TableInput:
    """Where a contract table's rows came from, and how many were read."""

    table: Table
    files: list[str]
    rows_read: int
    columns: set[str]  #: contract columns the file or mapping provides
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class Staged:
    tables: dict[str, TableInput] = field(default_factory=dict)
    refusals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def present(self) -> set[str]:
        return set(self.tables)

    @property
    def given_columns(self) -> dict[str, set[str]]:
        return {name: t.columns for name, t in self.tables.items()}

    def note_unchecked_rules(self) -> None:
        """Say which required-unless rules cannot apply because their column is absent."""
        for given in self.tables.values():
            for check in given.table.row_checks:
                absent = check.unless_table and check.unless_table not in self.tables
                if absent and check.column not in given.columns:
                    self.notes.append(
                        f"{', '.join(given.files)}: no {check.column} column and no "
                        f"{check.unless_table} table; results that need {check.column} "
                        "will be reported as not computed"
                    )


def find_table_files(bundle: Path, skip: set[str]) -> tuple[dict[str, Path], list[str], list[str]]:
    """Map contract tables to their files; return (files, refusals, notes)."""
    found: dict[str, list[Path]] = {}
    notes: list[str] = []
    for path in sorted(bundle.iterdir()):
        if not path.is_file() or path.name in skip or path.name.startswith("."):
            continue
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if suffix in SUFFIXES and stem in TABLES_BY_NAME:
            found.setdefault(stem, []).append(path)
        elif suffix in SUFFIXES and path.name != "rejects.csv":
            notes.append(f"{path.name}: ignored, not a contract table name")
    refusals = [
        f"{', '.join(p.name for p in paths)}: two files for table {name}; keep one"
        for name, paths in found.items()
        if len(paths) > 1
    ]
    return {name: paths[0] for name, paths in found.items()}, refusals, notes


def stage_table_file(con: duckdb.DuckDBPyConnection, tbl: Table, staged_file: StagedFile,
                staged: Staged) -> None:
    missing = [c for c in tbl.required_columns if c not in staged_file.columns]
    if missing:
        staged.refusals.append(
            f"{staged_file.label}: missing required column(s) {', '.join(missing)} "
            f"(the header has: {', '.join(staged_file.columns)})"
        )
        return
    cols = ", ".join(
        quote_ident(c) if c in staged_file.columns else f"CAST(NULL AS VARCHAR) AS {quote_ident(c)}"
        for c in tbl.column_names
    )
    con.execute(
        f"CREATE OR REPLACE TABLE {staging_name(tbl.name)} AS "
        f"SELECT _line AS _row, _file, _line, {cols} FROM {staged_file.staging} ORDER BY _line"
    )
    con.execute(f"DROP TABLE {staged_file.staging}")
    record_parse_problems(con, tbl.name, staged_file.problems)
    ignored = [c for c in staged_file.columns if c not in tbl.column_names]
    columns = {c for c in tbl.column_names if c in staged_file.columns}
    staged.tables[tbl.name] = TableInput(
        tbl, [staged_file.label], staged_file.rows_read, columns, ignored
    )


def stage_bundle(
    con: duckdb.DuckDBPyConnection,
    bundle: Path,
    mapping: Mapping | None = None,
    step: Callable[[str], None] = lambda _: None,
) -> Staged:
    """Read every table of the bundle into staging tables, collecting refusals."""
    staged = Staged()
    if not bundle.is_dir():
        staged.refusals.append(f"{bundle}: not a folder (a bundle is a folder of table files)")
        return staged
    mapped = set(mapping.blocks) if mapping else set()
    skip = mapping.source_files if mapping else set()
    files, refusals, notes = find_table_files(bundle, skip)
    staged.refusals += refusals
    staged.notes += notes
    for name in mapped & set(files):
        staged.notes.append(f"{files[name].name}: ignored, the mapping produces {name}")
    if mapping:
        _stage_mapping(con, bundle, mapping, staged, step)
    for tbl in TABLES:
        if tbl.name in mapped or tbl.name not in files:
            continue
        step(f"reading {files[tbl.name].name}")
        try:
            stage_table_file(con, tbl, read_file(con, files[tbl.name], f"file_{tbl.name}"), staged)
        except FileRefused as err:
            staged.refusals.append(str(err))
    for tbl in TABLES:
        if tbl.required and tbl.name not in mapped and tbl.name not in files:
            staged.refusals.append(
                f"{bundle}: required table {tbl.name} is missing "
                f"(expected {tbl.name}.csv or {tbl.name}.parquet)"
            )
    staged.note_unchecked_rules()
    return staged


def _stage_mapping(con: duckdb.DuckDBPyConnection, bundle: Path, mapping: Mapping,
                   staged: Staged, step: Callable[[str], None]) -> None:
    step(f"reading sources of {mapping.path.name}")
    try:
        sources = stage_sources(con, bundle, mapping)
    except FileRefused as err:
        staged.refusals.append(str(err))
        return
    stage_mapped_tables(con, mapping, sources, staged, step)


def stage_mapped_tables(con: duckdb.DuckDBPyConnection, mapping: Mapping, sources: dict,
                        staged: Staged, step: Callable[[str], None] = lambda _: None) -> None:
    """Build the staging table of every contract table the mapping produces from ``sources``
    (source name -> :class:`StagedFile`, already staged as ``src_<name>``)."""
    for tbl in TABLES:
        if tbl.name not in mapping.blocks:
            continue
        step(f"mapping {tbl.name}")
        try:
            rows = stage_mapped_table(con, mapping, tbl.name, staging_name(tbl.name))
        except MappingError as err:
            staged.refusals.append(str(err))
            continue
        used = sorted({b.source for b in mapping.blocks[tbl.name]})
        files = [sources[s].label for s in used]
        parse_problems = [p for s in used for p in sources[s].problems]
        record_parse_problems(con, tbl.name, parse_problems)
        missing = sorted(
            {c for b in mapping.blocks[tbl.name] for c in tbl.required_columns
             if c not in b.columns}
        )
        if missing:
            staged.refusals.append(
                f"{mapping.path}: tables.{tbl.name} does not produce required column(s) "
                f"{', '.join(missing)}"
            )
        columns = {c for b in mapping.blocks[tbl.name] for c in b.columns}
        staged.tables[tbl.name] = TableInput(tbl, files, rows + len(parse_problems), columns)
