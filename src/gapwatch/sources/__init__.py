"""Load what districts already have: Ed-Fi, OneRoster and CALPADS, beside the native bundle.

Each source is an adapter module with ``read(con, folder) -> SourceRead`` (stage the export's
records as ``src_<name>`` tables), a built-in mapping file (data: how each contract table is
built from those records, with the code maps), ``columns(name)`` (the fields of a record type,
so that a mapping expression naming an absent one still runs) and ``HINTS`` (where a contract
column comes from in that source, said when it is missing). :func:`stage_source` runs one and
hands back the same :class:`~gapwatch.ingest.bundle.Staged` as a native bundle, so validation,
rejects, exit codes and the atomic load are shared (docs/sources.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import duckdb

from gapwatch.contract import TABLES, TABLES_BY_NAME
from gapwatch.ingest.bundle import Staged, find_table_files, stage_mapped_tables, stage_table_file
from gapwatch.ingest.mapping import MappingError, load_mapping
from gapwatch.ingest.reader import FileRefused, read_file
from gapwatch.ingest.validate import staging_name
from gapwatch.sources.base import only_present, stage_empty

#: ``--from`` values; ``gapwatch`` is the native bundle (one file per contract table).
SOURCES = ("gapwatch", "edfi", "oneroster", "calpads")
NAMES = {"gapwatch": "gapwatch bundle", "edfi": "Ed-Fi", "oneroster": "OneRoster 1.2",
         "calpads": "CALPADS extracts"}


def adapter(source: str) -> ModuleType:
    """The adapter module of ``source`` (one of :data:`SOURCES` but ``gapwatch``)."""
    if source not in SOURCES or source == "gapwatch":
        raise ValueError(f"unknown source {source!r} (known: {', '.join(SOURCES)})")
    return importlib.import_module(f"gapwatch.sources.{source}")


def stage_source(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    source: str,
    mapping_path: Path | None = None,
    step: Callable[[str], None] = lambda _: None,
) -> Staged:
    """Read ``folder`` as ``source`` into the contract's staging tables, collecting refusals."""
    staged = Staged()
    if not folder.is_dir():
        staged.refusals.append(f"{folder}: not a folder (put the {NAMES[source]} files in one)")
        return staged
    module = adapter(source)
    step(f"reading {NAMES[source]} files")
    read = module.read(con, folder)
    staged.notes += read.notes
    staged.refusals += read.refusals
    try:
        mapping = load_mapping(mapping_path) if mapping_path else module.builtin_mapping()
    except MappingError as err:
        staged.refusals.append(str(err))
        return staged
    present = set(read.sources)
    for name in mapping.sources:
        if name not in present:
            stage_empty(con, name, module.columns(name))
    stage_mapped_tables(con, only_present(mapping, present), read.sources, staged, step)
    _refuse_empty_required(con, staged, module.HINTS)
    _add_native_tables(con, folder, set(read.files), staged, step)
    for tbl in TABLES:
        if tbl.required and tbl.name not in staged.tables:
            blocks = mapping.blocks.get(tbl.name, [])
            wanted = sorted({mapping.sources[b.source].file for b in blocks})
            where = f" (it is built from: {', '.join(wanted)})" if wanted else ""
            staged.refusals.append(
                f"{folder}: {NAMES[source]}: required table {tbl.name} cannot be built{where}; "
                f"the folder has none of them. {module.HINTS.get(tbl.name, '')}".strip()
            )
    staged.note_unchecked_rules()
    return staged


def _refuse_empty_required(con: duckdb.DuckDBPyConnection, staged: Staged,
                           hints: dict[str, str]) -> None:
    """A required column the source left empty in every row is a field the source lacks, not
    bad rows: a required table is refused, an optional one left out, each with a note saying
    where the source keeps the field, rather than every row rejected."""
    for name, given in list(staged.tables.items()):
        tbl = TABLES_BY_NAME[name]
        empty = []
        for column in tbl.required_columns:
            total, filled = con.execute(
                f"SELECT count(*), count(\"{column}\") FROM {staging_name(name)}").fetchone()
            if total and not filled:
                empty.append(column)
        if not empty:
            continue
        hint = " ".join(dict.fromkeys(h for c in empty if (h := hints.get(f"{name}.{c}"))))
        where, cols = ", ".join(given.files), ", ".join(empty)
        if tbl.required:
            staged.refusals.append(f"{where}: required column(s) {name}: {cols} have no value "
                                   f"in any of the {total:,} rows. {hint}".strip())
        else:
            staged.notes.append(f"{where}: {name} left out: required column(s) {cols} have no "
                                f"value in any of the {total:,} rows. {hint}".strip())
            del staged.tables[name]
            con.execute(f"DROP TABLE {staging_name(name)}")
            con.execute(f"DELETE FROM problems WHERE table_name = '{name}'")


def _add_native_tables(con: duckdb.DuckDBPyConnection, folder: Path, skip: set[str],
                       staged: Staged, step: Callable[[str], None]) -> None:
    """Contract files beside the export (e.g. assessments.csv from the state test vendor) fill
    the tables the source does not carry."""
    files, refusals, _ = find_table_files(folder, skip)
    staged.refusals += refusals
    for tbl in TABLES:
        if tbl.name not in files:
            continue
        if tbl.name in staged.tables:
            staged.notes.append(f"{files[tbl.name].name}: ignored, the export gives {tbl.name}")
            continue
        step(f"reading {files[tbl.name].name}")
        try:
            stage_table_file(con, tbl, read_file(con, files[tbl.name], f"file_{tbl.name}"), staged)
        except FileRefused as err:
            staged.refusals.append(str(err))
        staged.notes.append(f"{files[tbl.name].name}: {tbl.name} read as a gapwatch table")
