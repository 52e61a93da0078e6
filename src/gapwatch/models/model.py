"""One model file: its header (name, grain, description, columns) and its SQL.

A model file is a SELECT (optionally opened by ``WITH`` helper steps) preceded by a comment
header::

    -- name: discipline_school
    -- grain: one row per school year, school and student with a discipline incident
    -- description: a student's incidents and suspensions at a school in a year
    -- columns:
    --   suspensions: in- and out-of-school suspensions

A line indented further than the entry above it continues that entry. The SQL after the header
is a Jinja template (macros in ``macros/``, parameters such as the years given at rendering).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

_ENTRY = re.compile(r"^--( +)([A-Za-z_][\w.*]*):\s*(.*)$")
_KEYS = ("name", "grain", "description")


class ModelError(ValueError):
    """A model file that cannot be read: a bad header, SQL that does not parse, a cycle."""


@dataclass(frozen=True)
class Model:
    """A derived table declared by one ``.sql`` file."""

    name: str
    grain: str
    description: str
    columns: dict[str, str]  #: output column -> one-line description, in file order
    file: str  #: the file's name inside the package folder
    template: str  #: the SQL after the header (a Jinja template)
    depends_on: tuple[str, ...] = ()  #: tables read: other models and t_<contract table>
    helpers: tuple[str, ...] = ()  #: the model's own WITH steps, in order


def parse_header(text: str, file: str) -> tuple[dict[str, str], dict[str, str], str]:
    """(``name``/``grain``/``description``, columns, the SQL after the header) of a file."""
    lines = text.splitlines()
    end = next((i for i, line in enumerate(lines) if not line.startswith("--")), len(lines))
    keys: dict[str, str] = {}
    columns: dict[str, str] = {}
    target, last, depth = keys, "", 1
    for number, line in enumerate(lines[:end], start=1):
        body = line[2:]
        indent = len(body) - len(body.lstrip(" "))
        match = _ENTRY.match(line)
        if not body.strip():
            continue
        if match and (indent == 1 or (target is columns and (not last or indent <= depth))):
            key, value = match.group(2), match.group(3).strip()
            if indent == 1 and key == "columns":
                target, last = columns, ""
                continue
            target = keys if indent == 1 else columns
            if key in target:
                raise ModelError(f"{file}:{number}: {key!r} given twice")
            target[key], last, depth = value, key, indent
        elif last and indent > depth:
            target[last] = f"{target[last]} {body.strip()}".strip()
        else:
            raise ModelError(f"{file}:{number}: not a header entry: {line!r}")
    missing = [k for k in _KEYS if not keys.get(k)]
    if missing:
        raise ModelError(f"{file}: the header lacks {', '.join(missing)}")
    return keys, columns, "\n".join(lines[end:]) + "\n"


def parse_sql(sql: str, file: str) -> exp.Query:
    """The rendered SQL of a model as a SQLGlot tree (DuckDB's dialect)."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as err:
        raise ModelError(f"{file}: the SQL does not parse: {err}") from None
    if not isinstance(tree, exp.Query):
        raise ModelError(f"{file}: a model is one SELECT")
    return tree


def dependencies(tree: exp.Query) -> tuple[str, ...]:
    """Tables the SQL reads, minus the names of its own WITH steps."""
    own = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    return tuple(sorted({t.name for t in tree.find_all(exp.Table)} - own))


def helper_names(tree: exp.Query) -> tuple[str, ...]:
    """Names of the top-level WITH steps, in order."""
    return tuple(cte.alias_or_name for cte in tree.ctes)


def output_columns(tree: exp.Query) -> list[str]:
    """Column names of the final SELECT (of a UNION: its first branch)."""
    while isinstance(tree, exp.SetOperation):
        tree = tree.left
    if not isinstance(tree, exp.Select):
        raise ModelError("the final statement is not a SELECT")
    return list(tree.named_selects)
