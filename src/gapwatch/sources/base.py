"""What every source adapter shares: staging its records as ``src_<name>`` tables, and the
built-in mapping (a data file) that turns them into the contract's staging tables.

An adapter reads a district's export (Ed-Fi XML or API JSON, OneRoster CSV, CALPADS caret
files) into one DuckDB table per source record type, ``src_<name>``, with ``_file`` (the file
the user has) and ``_line`` (the line, or the record's starting line) and one text column per
field. From there the ordinary mapping machinery (:mod:`gapwatch.ingest.mapping`) builds
``stage_<table>`` for each contract table, and validation and loading run exactly as for a
native bundle: the same rejects, exit codes and atomic swap.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from gapwatch.ingest.mapping import Mapping, mapping_from_dict
from gapwatch.ingest.problems import Problem, Severity
from gapwatch.ingest.reader import StagedFile
from gapwatch.sql import quote_ident


@dataclass
class SourceRead:
    """What an adapter found in a folder."""

    sources: dict[str, StagedFile] = field(default_factory=dict)  #: present record types
    refusals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  #: files the adapter read or skipped


def stage_records(
    con: duckdb.DuckDBPyConnection,
    name: str,
    label: str,
    columns: Sequence[str],
    records: Iterable[tuple[str, int, Sequence[str | None]]],
    problems: list[Problem] | None = None,
    path: Path | None = None,
) -> StagedFile:
    """Create ``src_<name>`` from ``(file, line, values)`` records; values align with
    ``columns``. ``label`` names all the files read. Empty strings become NULL, as an empty
    CSV cell does."""
    files: list[str] = []
    lines: list[int] = []
    values: list[list[str | None]] = [[] for _ in columns]
    for file, line, row in records:
        files.append(file)
        lines.append(line)
        for i, value in enumerate(row):
            values[i].append(value if value not in ("", None) else None)
    arrays = [pa.array(files, pa.string()), pa.array(lines, pa.int64())]
    arrays += [pa.array(v, pa.string()) for v in values]
    table = pa.Table.from_arrays(arrays, names=["_file", "_line", *columns])
    con.register("__source_records", table)
    con.execute(f"CREATE OR REPLACE TABLE src_{name} AS SELECT * FROM __source_records")
    con.unregister("__source_records")
    return StagedFile(path or Path(label), label, f"src_{name}", list(columns), len(lines),
                      problems or [])


def stage_empty(con: duckdb.DuckDBPyConnection, name: str, columns: Sequence[str]) -> None:
    """An empty ``src_<name>`` (unless one exists) so that mapping expressions naming an absent
    source still run."""
    cols = "".join(f", CAST(NULL AS VARCHAR) AS {quote_ident(c)}" for c in columns)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS src_{name} AS SELECT CAST(NULL AS VARCHAR) AS _file, "
        f"CAST(NULL AS BIGINT) AS _line{cols} LIMIT 0"
    )


def record_problem(label: str, line: int, raw: str, reason: str) -> Problem:
    """A record the adapter could not read at all (it counts as read and rejected)."""
    return Problem(file=label, line=line, column="", value=raw[:500], reason=reason,
                   severity=Severity.ERROR, raw_row=raw)


def load_builtin_mapping(path: Path, extra_codes: Path | None = None) -> Mapping:
    """A source's mapping file, with code maps from ``extra_codes`` (e.g. Ed-Fi descriptors)
    merged in: the district may edit either file, or pass its own copy with ``--mapping``."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if extra_codes is not None:
        codes = tomllib.loads(extra_codes.read_text(encoding="utf-8")).get("codes", {})
        data.setdefault("codes", {}).update(codes)
    return mapping_from_dict(path, data)


def only_present(mapping: Mapping, present: set[str]) -> Mapping:
    """The mapping without the blocks whose source record type is absent."""
    blocks = {
        table: kept
        for table, blocks in mapping.blocks.items()
        if (kept := [b for b in blocks if b.source in present])
    }
    return dataclasses.replace(mapping, blocks=blocks)
