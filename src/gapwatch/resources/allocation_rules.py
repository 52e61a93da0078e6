"""Allocation rules: how a sum is shared among schools (used by
:func:`gapwatch.resources.allocate.allocate`).

A rule gives each school a **weight**; the school receives ``amount * weight / sum(weights)``.

- ``flat``: weight = enrollment (the same dollars per pupil everywhere);
- ``need_band``: weight = enrollment x the band's weight per pupil. The default weights
  (Highest 1.5, High 1.25, Moderate 1.0, Low 0.85, Lowest 0.7; :data:`DEFAULT_BAND_WEIGHTS`)
  are a documented starting point, the district's choice to make, not a standard;
  ``need_band:Highest=2,High=1.5`` overrides some or all of them (the others keep the default);
- ``unduplicated``: weight = unduplicated pupils (EL, free/reduced-price meal eligible or foster,
  each counted once, as LCFF counts them; METHODS.md 4);
- ``expr:<SQL expression>``: a DuckDB expression over the per-school table
  (:data:`EXPRESSION_COLUMNS`), e.g. ``expr:enrollment * (1 + need_percentile / 100)`` or
  ``expr:enrollment + 0.5 * el + 0.5 * swd``. It runs on its own in-memory connection with
  file access disabled, so it sees nothing but that table.

Weights must be finite and 0 or more, with a positive total; anything else is a ValueError
naming the rule and the schools.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from gapwatch.resources.need_factors import BANDS

#: The default need-band weights per pupil: a district's choice, documented, not a standard.
DEFAULT_BAND_WEIGHTS: dict[str, float] = {"Highest": 1.5, "High": 1.25, "Moderate": 1.0,
                                          "Low": 0.85, "Lowest": 0.7}
KINDS = ("flat", "need_band", "unduplicated", "expr")
KNOWN = "flat, need_band[:Highest=w,High=w,...], unduplicated, expr:<SQL expression>"
#: Columns an ``expr:`` rule can use (one row per school of the year).
EXPRESSION_COLUMNS = {
    "school_year": "the school year (spring year)",
    "school_id": "school identifier (text)",
    "school_name": "school name (text)",
    "band": "need band, 'Highest' ... 'Lowest' (NULL when the school has no need score)",
    "need_score": "need index score (z-score scale; NULL when not scored)",
    "need_rank": "need rank, 1 = highest need",
    "need_percentile": "percentile rank of the need score, 0-100",
    "enrollment": "students enrolled on census day (first Wednesday in October)",
    "unduplicated": "census-day unduplicated pupils (EL, FRPM or foster, each once)",
    "upp": "unduplicated / enrollment",
    "el": "census-day English learners", "sed": "census-day socioeconomically disadvantaged",
    "swd": "census-day students with disabilities", "foster": "census-day foster youth",
    "homeless": "census-day homeless youth",
}


@dataclass(frozen=True)
class Rule:
    """An allocation rule: ``name`` (shown in the results), ``kind`` (:data:`KINDS`), the band
    weights of a ``need_band`` rule and the expression of an ``expr`` rule."""

    name: str
    kind: str
    band_weights: tuple[tuple[str, float], ...] = ()
    expression: str = ""

    def evaluate(self, base: pa.Table) -> tuple[np.ndarray, np.ndarray]:
        """(weight, weight per pupil) of each school of ``base``; per pupil is NaN without
        pupils, and rounded to 12 significant digits so equal rates stay exactly equal."""
        enrollment = np.array(base.column("enrollment").to_pylist(), dtype=float)
        ids = base.column("school_id").to_pylist()
        if self.kind == "flat":
            rate = np.ones(len(ids))
            return rate * enrollment, np.where(enrollment > 0, rate, np.nan)
        if self.kind == "need_band":
            weights = dict(self.band_weights)
            bands = base.column("band").to_pylist()
            self._check([b is None for b in bands], ids, "have no need band (not scored)")
            rate = np.array([weights[b] for b in bands], dtype=float)
            return rate * enrollment, np.where(enrollment > 0, rate, np.nan)
        if self.kind == "unduplicated":
            raw = base.column("unduplicated").to_pylist()
            self._check([v is None for v in raw], ids, "have no unduplicated count")
            weight = np.array(raw, dtype=float)
        else:
            weight = _expression(self, base)
        self._check(np.isnan(weight), ids, "get a NULL weight")
        self._check(~np.isfinite(weight) & ~np.isnan(weight), ids, "get an infinite weight")
        self._check(weight < 0, ids, "get a negative weight", weight)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(enrollment > 0, weight / np.where(enrollment > 0, enrollment, 1),
                            np.nan)
        return weight, np.array([float(f"{r:.12g}") for r in rate])

    def _check(self, bad: list[bool] | np.ndarray, ids: list[str], what: str,
               values: np.ndarray | None = None) -> None:
        hits = [i for i, b in enumerate(bad) if b]
        if hits:
            shown = ", ".join(ids[i] + ("" if values is None else f" ({values[i]:g})")
                              for i in hits[:5])
            more = f" and {len(hits) - 5} more" if len(hits) > 5 else ""
            raise ValueError(f"rule {self.name!r}: school(s) {shown}{more} {what}")


def _expression(rule: Rule, base: pa.Table) -> np.ndarray:
    """The expression's value per school, in the order of ``base``."""
    con = duckdb.connect(config={"enable_external_access": False})
    try:
        rel = con.from_arrow(base)
        rows = rel.query("schools", f"SELECT school_id, CAST(({rule.expression}) AS DOUBLE) "
                                    "FROM schools").fetchall()
    except duckdb.Error as err:
        raise ValueError(f"rule {rule.name!r}: the expression failed: "
                         f"{' '.join(str(err).split())} (columns: "
                         f"{', '.join(base.column_names)})") from None
    finally:
        con.close()
    value = {s: (math.nan if v is None else v) for s, v in rows}
    return np.array([value[s] for s in base.column("school_id").to_pylist()], dtype=float)


def _band_weights(text: str, spec: str) -> tuple[tuple[str, float], ...]:
    weights = dict(DEFAULT_BAND_WEIGHTS)
    canonical = {b.lower(): b for b in BANDS}
    for item in spec.split(","):
        key, sep, value = (part.strip() for part in item.partition("="))
        if not sep or not key:
            raise ValueError(f"rule {text!r}: expected Band=weight, got {item.strip()!r}")
        if key.lower() not in canonical:
            raise ValueError(f"rule {text!r}: unknown band {key!r} (bands: {', '.join(BANDS)})")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"rule {text!r}: weight of {key} is not a number: {value!r}"
                             ) from None
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"rule {text!r}: weight of {key} must be 0 or more, got {value}")
        weights[canonical[key.lower()]] = number
    return tuple((b, weights[b]) for b in BANDS)


def parse_rule(text: str) -> Rule:
    """A rule from its command-line text (see the module docstring).

    >>> parse_rule("need_band:highest=2").name
    'need_band:Highest=2,High=1.25,Moderate=1,Low=0.85,Lowest=0.7'
    >>> parse_rule("expr: enrollment * 2").expression
    'enrollment * 2'
    """
    raw = text.strip()
    head, sep, rest = raw.partition(":")
    head = head.strip().lower()
    if head in ("flat", "unduplicated") and not sep:
        return Rule(head, head)
    if head == "need_band" and not sep:
        return Rule("need_band", "need_band", tuple(DEFAULT_BAND_WEIGHTS.items()))
    if head == "need_band":
        weights = _band_weights(raw, rest)
        return Rule("need_band:" + ",".join(f"{b}={w:g}" for b, w in weights), "need_band",
                    weights)
    if head == "expr":
        if not rest.strip():
            raise ValueError(f"rule {raw!r}: empty expression (e.g. expr:enrollment * "
                             "(1 + need_percentile / 100))")
        return Rule(f"expr:{rest.strip()}", "expr", expression=rest.strip())
    raise ValueError(f"unknown rule {raw!r} (known: {KNOWN})")
