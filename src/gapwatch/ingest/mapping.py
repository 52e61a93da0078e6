"""Mapping files: load a foreign SIS export onto the contract (format: docs/mapping.md).

A mapping file says, for each contract table it produces, which source file the rows come from
and how each contract column is computed from the source's columns (a DuckDB SQL expression,
optionally through a code map). Source rows keep their file name and line number, so rejected
rows point into the export the district actually has.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from gapwatch.contract import TABLES_BY_NAME
from gapwatch.ingest.reader import read_file
from gapwatch.sql import quote_ident, sql_string

MAPPING_VERSION = 1


class MappingError(Exception):
    """The mapping file is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class ColumnMap:
    expr: str
    codes: str | None = None


@dataclass(frozen=True)
class Block:
    """One ``[[tables.<name>]]`` block: rows of a contract table from one source."""

    table: str
    index: int
    source: str
    columns: dict[str, ColumnMap]
    where: str | None = None
    group_by: tuple[str, ...] = ()
    distinct: bool = False

    @property
    def where_key(self) -> str:
        return f"tables.{self.table}[{self.index + 1}]"


@dataclass(frozen=True)
class Source:
    name: str
    file: str
    missing: tuple[str, ...] = ("",)


@dataclass(frozen=True)
class Mapping:
    path: Path
    name: str
    sources: dict[str, Source]
    codes: dict[str, dict[str, str]]
    blocks: dict[str, list[Block]]

    @property
    def source_files(self) -> set[str]:
        return {s.file for s in self.sources.values()}


def _fail(path: Path, key: str, message: str) -> MappingError:
    return MappingError(f"{path}: {key}: {message}")


def _check_keys(path: Path, key: str, given: dict, allowed: set[str]) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise _fail(path, key, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(allowed))})")


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; raise :class:`MappingError` naming what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"{path}: mapping file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise MappingError(f"{path}: not a valid TOML file: {err}") from None
    return mapping_from_dict(path, data)


def mapping_from_dict(path: Path, data: dict) -> Mapping:
    """Check a parsed mapping (``path`` names it in messages); raise :class:`MappingError`."""
    _check_keys(path, "top level", data, {"mapping", "sources", "codes", "tables"})
    meta = data.get("mapping", {})
    _check_keys(path, "[mapping]", meta, {"name", "version"})
    if meta.get("version", MAPPING_VERSION) != MAPPING_VERSION:
        raise _fail(path, "mapping.version", f"this gapwatch reads version {MAPPING_VERSION}")
    sources: dict[str, Source] = {}
    for name, spec in data.get("sources", {}).items():
        _check_keys(path, f"sources.{name}", spec, {"file", "missing"})
        if "file" not in spec:
            raise _fail(path, f"sources.{name}", "needs file = \"...\"")
        missing = tuple(str(m) for m in spec.get("missing", [""]))
        sources[name] = Source(name, str(spec["file"]), missing)
    codes = {
        name: {str(k): str(v) for k, v in table.items()}
        for name, table in data.get("codes", {}).items()
    }
    blocks: dict[str, list[Block]] = {}
    for table_name, specs in data.get("tables", {}).items():
        if table_name not in TABLES_BY_NAME:
            raise _fail(path, f"tables.{table_name}",
                        f"not a contract table (known: {', '.join(TABLES_BY_NAME)})")
        if isinstance(specs, dict):
            specs = [specs]
        blocks[table_name] = [
            _block(path, table_name, i, spec, sources, codes) for i, spec in enumerate(specs)
        ]
    return Mapping(path, str(meta.get("name", path.stem)), sources, codes, blocks)


def _block(path: Path, table_name: str, index: int, spec: dict, sources: dict[str, Source],
           codes: dict[str, dict[str, str]]) -> Block:
    key = f"tables.{table_name}[{index + 1}]"
    _check_keys(path, key, spec, {"source", "columns", "where", "group_by", "distinct"})
    source = spec.get("source")
    if source not in sources:
        raise _fail(path, f"{key}.source",
                    f"unknown source {source!r} (sources: {', '.join(sources) or 'none'})")
    contract = TABLES_BY_NAME[table_name]
    columns: dict[str, ColumnMap] = {}
    for col, value in spec.get("columns", {}).items():
        if col not in contract.column_names:
            raise _fail(path, f"{key}.columns.{col}",
                        f"{table_name} has no such column (columns: "
                        f"{', '.join(contract.column_names)})")
        if isinstance(value, str):
            columns[col] = ColumnMap(value)
        elif isinstance(value, dict) and "expr" in value:
            _check_keys(path, f"{key}.columns.{col}", value, {"expr", "codes"})
            code_map = value.get("codes")
            if code_map is not None and code_map not in codes:
                raise _fail(path, f"{key}.columns.{col}.codes",
                            f"no [codes.{code_map}] table in the mapping")
            columns[col] = ColumnMap(str(value["expr"]), code_map)
        else:
            raise _fail(path, f"{key}.columns.{col}",
                        'write a SQL expression, or { expr = "...", codes = "..." }')
    group_by = spec.get("group_by", [])
    if isinstance(group_by, str):
        group_by = [group_by]
    return Block(table_name, index, source, columns, spec.get("where"), tuple(group_by),
                 bool(spec.get("distinct", False)))


def stage_sources(con: duckdb.DuckDBPyConnection, bundle: Path, mapping: Mapping):
    """Read every source file of the mapping; return {source name: StagedFile}."""
    staged = {}
    for name, source in mapping.sources.items():
        raw = f"src_{name}__raw"
        staged_file = read_file(con, bundle / source.file, raw, label=source.file)
        missing = ", ".join(sql_string(m) for m in source.missing)
        cols = ", ".join(
            f"CASE WHEN coalesce(trim({quote_ident(c)}), '') IN ({missing}) THEN NULL "
            f"ELSE {quote_ident(c)} END AS {quote_ident(c)}"
            for c in staged_file.columns
        )
        con.execute(f"CREATE OR REPLACE TABLE src_{name} AS SELECT _file, _line, {cols} FROM {raw}")
        con.execute(f"DROP TABLE {raw}")
        staged[name] = staged_file
    return staged


def _column_sql(mapping: Mapping, col: ColumnMap) -> str:
    text = f"CAST(({col.expr}) AS VARCHAR)"
    if col.codes is None:
        return text
    whens = " ".join(
        f"WHEN {sql_string(k)} THEN {sql_string(v)}" for k, v in mapping.codes[col.codes].items()
    )
    return f"CASE trim({text}) {whens} ELSE {text} END"


def block_sql(mapping: Mapping, block: Block) -> str:
    """SELECT producing the block's rows: _file, _line, _block and every contract column."""
    contract = TABLES_BY_NAME[block.table]
    exprs = [
        f"{_column_sql(mapping, block.columns[c])} AS {quote_ident(c)}"
        if c in block.columns else f"CAST(NULL AS VARCHAR) AS {quote_ident(c)}"
        for c in contract.column_names
    ]
    grouped = "any_value(_file) AS _file, min(_line) AS _line"
    head = grouped if block.group_by else "_file, _line"
    sql = f"SELECT {head}, {block.index} AS _block, {', '.join(exprs)} FROM src_{block.source}"
    if block.where:
        sql += f" WHERE {block.where}"
    if block.group_by:
        sql += " GROUP BY " + ", ".join(block.group_by)
    if block.distinct:
        cols = ", ".join(quote_ident(c) for c in contract.column_names)
        sql = f"SELECT DISTINCT ON ({cols}) * FROM ({sql}) ORDER BY {cols}, _line"
    return sql


def stage_mapped_table(con: duckdb.DuckDBPyConnection, mapping: Mapping, table_name: str,
                       staging: str) -> int:
    """Build ``staging`` for one contract table from its blocks; return the rows produced."""
    parts = []
    for block in mapping.blocks[table_name]:
        sql = block_sql(mapping, block)
        try:
            con.execute(f"DESCRIBE {sql}").fetchall()
        except duckdb.Error as err:
            message = str(err).strip().splitlines()[0]
            raise MappingError(f"{mapping.path}: {block.where_key}: {message}") from None
        parts.append(f"({sql})")
    cols = ", ".join(quote_ident(c) for c in TABLES_BY_NAME[table_name].column_names)
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {staging} AS SELECT row_number() OVER "
            f"(ORDER BY _block, _line) AS _row, _file, _line, {cols} "
            f"FROM ({' UNION ALL '.join(parts)}) ORDER BY _block, _line"
        )
    except duckdb.Error as err:
        message = str(err).strip().splitlines()[0]
        raise MappingError(f"{mapping.path}: tables.{table_name}: {message}") from None
    return con.execute(f"SELECT count(*) FROM {staging}").fetchone()[0]
