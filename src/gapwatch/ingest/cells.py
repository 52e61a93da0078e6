"""Cell rules as SQL, generated from the contract: how each kind of text is parsed and checked.

For a column of a given :class:`~gapwatch.contract.Kind`, :func:`parsed` is the DuckDB
expression that turns the cell's text into its typed value (NULL when the text is not valid),
and :func:`invalid` is true when a non-empty cell does not parse. Parsing is strict on purpose:
``3.5`` is not a whole number, ``2024-2-3`` is not an ISO date, ``hi`` is not the code ``HI``.
"""

from __future__ import annotations

from gapwatch.contract import CODE_SETS, GRADE_VALUES, UNGRADED, Column, Kind
from gapwatch.contract.schema import FALSE_WORDS, TRUE_WORDS
from gapwatch.sql import quote_ident, sql_string

WHOLE = r"[+-]?[0-9]+(\.0*)?"
NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
MONEY = r"[+-]?[0-9]{1,16}(\.[0-9]{1,2})?"
ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


def text(ref: str) -> str:
    """The cell's text, trimmed, with empty meaning missing."""
    return f"NULLIF(trim({ref}), '')"


def _in_list(expr: str, values: list[str]) -> str:
    return f"{expr} IN ({', '.join(sql_string(v) for v in values)})"


def parsed(col: Column, ref: str) -> str:
    """SQL for the typed value of column ``col`` whose text is ``ref``."""
    v = text(ref)
    match col.kind:
        case Kind.ID | Kind.TEXT:
            return v
        case Kind.INT | Kind.YEAR:
            return (
                f"CASE WHEN regexp_full_match({v}, '{WHOLE}') "
                f"THEN TRY_CAST(TRY_CAST({v} AS DOUBLE) AS BIGINT) END"
            )
        case Kind.DECIMAL:
            return f"CASE WHEN regexp_full_match({v}, '{NUMBER}') THEN TRY_CAST({v} AS DOUBLE) END"
        case Kind.MONEY:
            return (
                f"CASE WHEN regexp_full_match({v}, '{MONEY}') "
                f"THEN TRY_CAST({v} AS DECIMAL(18,2)) END"
            )
        case Kind.DATE:
            return f"CASE WHEN regexp_full_match({v}, '{ISO_DATE}') THEN TRY_CAST({v} AS DATE) END"
        case Kind.BOOL:
            return (
                f"CASE WHEN {_in_list(f'lower({v})', list(TRUE_WORDS))} THEN true "
                f"WHEN {_in_list(f'lower({v})', list(FALSE_WORDS))} THEN false END"
            )
        case Kind.GRADE:
            whens = " ".join(
                f"WHEN {sql_string(label)} THEN {value}" for label, value in GRADE_VALUES.items()
            )
            return f"CASE upper({v}) {whens} END"
        case Kind.CODE:
            codes = list(CODE_SETS[col.codes or ""])
            return f"CASE WHEN {_in_list(v, codes)} THEN {v} END"
        case Kind.CODE_LIST:
            codes = list(CODE_SETS[col.codes or ""])
            items = f"list_transform(string_split({v}, ';'), lambda x: trim(x))"
            known = f"lambda x: {_in_list('x', codes)}"
            return (
                f"CASE WHEN list_bool_and(list_transform({items}, {known})) "
                f"THEN array_to_string({items}, ';') END"
            )
    raise AssertionError(f"unhandled kind {col.kind}")  # pragma: no cover


def invalid(col: Column, raw: str, typed: str) -> str:
    """SQL: the cell has text (``raw``) that did not parse (``typed`` is its parsed value)."""
    v = text(raw)
    if col.kind is Kind.GRADE:
        return f"({v} IS NOT NULL AND {typed} IS NULL AND upper({v}) <> '{UNGRADED}')"
    return f"({v} IS NOT NULL AND {typed} IS NULL)"


def invalid_reason(col: Column, ref: str) -> str:
    """SQL for the message when :func:`invalid` is true."""
    v = text(ref)
    match col.kind:
        case Kind.INT | Kind.YEAR:
            return "'not a whole number'"
        case Kind.DECIMAL:
            return "'not a number (write digits with a decimal point, e.g. 12.5)'"
        case Kind.MONEY:
            return "'not an amount in dollars (digits, at most two decimals, no $ or commas)'"
        case Kind.DATE:
            return "'not a date: write YYYY-MM-DD, e.g. 2024-09-03'"
        case Kind.BOOL:
            return "'not yes/no: write true/false, 1/0 or Y/N'"
        case Kind.GRADE:
            return "'not a grade: write TK, K, 1 to 12, or UG for ungraded'"
        case Kind.CODE | Kind.CODE_LIST:
            codes = list(CODE_SETS[col.codes or ""])
            allowed = ", ".join(codes) if len(codes) <= 12 else ", ".join(codes[:12]) + ", ..."
            hint = _case_hint(v, codes) if col.kind is Kind.CODE else "''"
            return (
                f"'unknown code for {col.codes} (allowed: {allowed})' || {hint}"
            )
    return "'invalid value'"  # pragma: no cover


def _case_hint(v: str, codes: list[str]) -> str:
    """'; did you mean X?' when the value matches a code but for letter case."""
    whens = " ".join(
        f"WHEN {sql_string(code.upper())} THEN '; did you mean {code}?'" for code in codes
    )
    return f"coalesce(CASE upper({v}) {whens} END, '')"


def out_of_range(col: Column, typed: str) -> str | None:
    """SQL true when a parsed number is outside the column's plausible range, or None."""
    if col.low is None or col.high is None:
        return None
    return f"({typed} < {col.low!r} OR {typed} > {col.high!r})"


def range_reason(col: Column) -> str:
    low = f"{col.low:g}" if col.low is not None else ""
    high = f"{col.high:g}" if col.high is not None else ""
    return f"'outside the plausible range {low} to {high}'"


def cell_checks(col: Column, raw: str, typed: str) -> list[tuple[str, str]]:
    """(condition, reason) SQL pairs, one per cell rule of ``col``.

    ``raw`` is the cell's text and ``typed`` its parsed value (see :func:`parsed`), so no rule
    parses the text a second time.
    """
    checks: list[tuple[str, str]] = []
    if col.required:
        checks.append((f"{text(raw)} IS NULL", "'required value is missing'"))
    if col.kind not in (Kind.ID, Kind.TEXT):
        checks.append((invalid(col, raw, typed), invalid_reason(col, raw)))
    rng = out_of_range(col, typed)
    if rng:
        checks.append((rng, range_reason(col)))
    return checks


def problem_struct(col: Column, raw: str, cond: str, reason: str) -> str:
    """SQL struct ``{column, value, reason}`` when ``cond`` holds, else NULL."""
    value = f"CAST({raw} AS VARCHAR)"
    return (f"CASE WHEN {cond} THEN {{'column': {sql_string(col.name)}, 'value': {value}, "
            f"'reason': {reason}}} END")


def column_ref(name: str) -> str:
    return quote_ident(name)
