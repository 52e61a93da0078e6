"""Code maps kept as data (TOML ``[codes.X]`` tables), read both ways; a bundle read for the
layout writers."""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb

from gapwatch.contract import TABLES_BY_NAME
from gapwatch.sql import sql_string

_TEXT_KINDS = ("id", "text", "code", "grade", "code_list")


def read_codes(path: Path) -> dict[str, dict[str, str]]:
    """``{code map: {source code: gapwatch code}}`` from a file's ``[codes]`` tables."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: {str(k): str(v) for k, v in table.items()}
            for name, table in data.get("codes", {}).items()}


def reverse_codes(path: Path) -> dict[str, dict[str, str]]:
    """``{code map: {gapwatch code: the first source code for it}}``, for writers."""
    out: dict[str, dict[str, str]] = {}
    for name, table in read_codes(path).items():
        reverse: dict[str, str] = {}
        for source, code in table.items():
            reverse.setdefault(code, source)
        out[name] = reverse
    return out


def bundle_views(bundle: Path, tables: tuple[str, ...]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per CSV table of ``bundle`` (identifiers and codes as
    text, the rest typed by DuckDB), for the writers of other layouts."""
    con = duckdb.connect()
    for name in tables:
        path = bundle / f"{name}.csv"
        if not path.exists():
            continue
        text = {c.name: "VARCHAR" for c in TABLES_BY_NAME[name].columns
                if c.kind.value in _TEXT_KINDS or c.name.endswith("_id")}
        with path.open(encoding="utf-8") as fh:
            header = fh.readline().strip().replace('"', "").split(",")
        types = ", ".join(f"{sql_string(c)}: '{t}'" for c, t in text.items() if c in header)
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_csv({sql_string(str(path))}, "
                    f"types={{{types}}})")
    return con
