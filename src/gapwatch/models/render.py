"""Rendering model files: Jinja with the macros of ``macros/``, then one ``WITH`` chain.

A model's own WITH steps become steps of the chain under their own names, before the model,
so the chain reads as one flat list of named tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

import jinja2
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.tokens import TokenType

from gapwatch.contract import TABLES_BY_NAME
from gapwatch.models.context import static_globals
from gapwatch.models.model import Model, ModelError
from gapwatch.sql import quote_ident

SOURCE_PREFIX = "t_"


def sql_literal(value: object) -> str:
    """A Python value as a DuckDB literal."""
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def sql_list(values: Iterable[object]) -> str:
    """``(v1, v2, ...)`` for ``IN``."""
    return "(" + ", ".join(sql_literal(v) for v in values) + ")"


@cache
def environment() -> jinja2.Environment:
    """The Jinja environment: strict, with every macro of ``macros/`` as a global."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             autoescape=False, loader=jinja2.FunctionLoader(_macro_source))
    env.filters["sql_list"] = sql_list
    env.globals.update(static_globals())
    for file in sorted(f.name for f in files(__package__).joinpath("macros").iterdir()
                       if f.name.endswith(".sql")):
        module = env.get_template(f"macros/{file}").module
        env.globals.update({k: v for k, v in vars(module).items()
                            if isinstance(v, jinja2.runtime.Macro)})
    return env


def _macro_source(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def render_model(model: Model, params: Mapping[str, Any]) -> str:
    """The model's SQL with its macros and ``params`` filled in."""
    try:
        return environment().from_string(model.template).render(**params).strip()
    except jinja2.TemplateError as err:
        raise ModelError(f"{model.file}: {err}") from None


def split_helpers(sql: str) -> tuple[list[tuple[str, str]], str]:
    """(name, ``(...)`` text) of each top-level WITH step, and the SELECT after them; the text
    is cut from ``sql`` as written (comments and layout kept)."""
    tokens = DuckDB().tokenize(sql)
    if not tokens or tokens[0].token_type != TokenType.WITH:
        return [], sql
    helpers, i = [], 1
    while True:
        name, open_ = tokens[i], tokens[i + 2]
        if tokens[i + 1].token_type != TokenType.ALIAS or open_.token_type != TokenType.L_PAREN:
            raise ModelError(f"cannot read the WITH step at {sql[name.start:name.end + 40]!r}")
        depth, j = 0, i + 2
        while True:
            kind = tokens[j].token_type
            depth += (kind == TokenType.L_PAREN) - (kind == TokenType.R_PAREN)
            if depth == 0:
                break
            j += 1
        helpers.append((name.text, sql[open_.start:tokens[j].end + 1]))
        if tokens[j + 1].token_type != TokenType.COMMA:
            return helpers, sql[tokens[j + 1].start:]
        i = j + 2


def model_steps(model: Model, params: Mapping[str, Any]) -> list[str]:
    """The model as steps of a WITH chain: its helpers, then ``name AS (...)``."""
    helpers, body = split_helpers(render_model(model, params))
    return [f"{name} AS {text}" for name, text in helpers] + [f"{model.name} AS (\n{body}\n)"]


def empty_table(name: str) -> str:
    """A relation with the contract table's columns and no rows (for an absent table)."""
    tbl = TABLES_BY_NAME[name]
    cols = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {quote_ident(c.name)}" for c in tbl.columns)
    return f"(SELECT {cols} WHERE FALSE)"


def source_step(table: str, present: set[str]) -> str:
    """``t_<table>``: the contract table, or an empty stand-in when the bundle lacks it."""
    body = f"(SELECT * FROM {table})" if table in present else empty_table(table)
    return f"{SOURCE_PREFIX}{table} AS {body}"


def is_source(name: str) -> bool:
    """``t_<contract table>``: a table the models read from the warehouse."""
    return name.startswith(SOURCE_PREFIX) and name[len(SOURCE_PREFIX):] in TABLES_BY_NAME
