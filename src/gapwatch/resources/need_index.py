"""The school need index: a configurable weighted index per school and year, in the spirit of
LAUSD's Student Equity Needs Index (SENI 2.0; METHODS.md 4).

Each factor (student-need shares, academic measures, community conditions; see
:mod:`gapwatch.resources.need_factors` and ``need_index_default.toml``) is standardized within
the year across the schools that have it (z-score with the population SD, or percentile rank
0-100), turned so that higher always means more need, weighted and added up. A school missing a
factor has its weights rescaled over the factors it has (and a note naming what is missing).
Schools are ranked (1 = highest need), given a percentile rank of the score and a band from
"Highest" to "Lowest" need (quintiles of that percentile by default, or configured cut-offs).
:func:`need_factors` decomposes each score: the contributions add up to the score.
:func:`rank_stability` reports the Spearman rank correlation of scores between consecutive years
with a Fisher-z 95% interval (Fieller, Hartley & Pearson 1957).

The weights are a value judgment: the shipped ones are a documented default, the district's
choice to make, not LAUSD's (whose weights could not be verified).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
from scipy.special import ndtri

from gapwatch.resources.need_factors import (
    BANDS,
    DEFAULT_SPEC,
    QUINTILES,
    Bands,
    Factor,
    NeedIndexSpec,
    factor_values,
    load_spec,
    needs_table,
    tables,
)

__all__ = [
    "BANDS", "DEFAULT_SPEC", "QUINTILES", "Bands", "Factor", "NeedIndexError", "NeedIndexResult",
    "NeedIndexSpec", "band_map", "compute", "load_spec", "need_factors", "need_index",
    "rank_stability",
]

#: Rescaled weight shares within this of ``min_weight`` count as reaching it (float noise).
_TOLERANCE = 1e-9


class NeedIndexError(RuntimeError):
    """The warehouse lacks what the index needs (e.g. indicator results not yet computed)."""


# --- computing the index -----------------------------------------------------------------------

INDEX_SCHEMA = pa.schema([
    ("school_year", pa.int16()), ("school_id", pa.string()), ("school_name", pa.string()),
    ("score", pa.float64()), ("rank", pa.int32()), ("percentile", pa.float64()),
    ("band", pa.string()), ("n_students", pa.int64()), ("factors_used", pa.int16()),
    ("note", pa.string()),
])
FACTORS_SCHEMA = pa.schema([
    ("school_year", pa.int16()), ("school_id", pa.string()), ("factor", pa.string()),
    ("raw_value", pa.float64()), ("standardized", pa.float64()), ("weight", pa.float64()),
    ("contribution", pa.float64()),
])
STABILITY_SCHEMA = pa.schema([
    ("from_year", pa.int16()), ("to_year", pa.int16()), ("n", pa.int64()),
    ("spearman", pa.float64()), ("ci_low", pa.float64()), ("ci_high", pa.float64()),
    ("band_changes", pa.int64()),
])


@dataclass(frozen=True)
class NeedIndexResult:
    """Both tables, and the factors that had no data at all (id -> why)."""

    index: pa.Table
    factors: pa.Table
    unavailable: dict[str, str]


def percentile_rank(values: np.ndarray) -> np.ndarray:
    """100 x (values below + half of those equal, itself included) / n: 0-100, ties shared."""
    below = (values[None, :] < values[:, None]).sum(axis=1)
    equal = (values[None, :] == values[:, None]).sum(axis=1)
    return 100.0 * (below + 0.5 * equal) / len(values)


def standardize(values: np.ndarray, direction: str, method: str) -> np.ndarray:
    """Within-year standardization, turned so that higher = more need.

    ``z``: (v - mean) / SD with the population SD (the schools are the whole district, not a
    sample); all equal -> 0. ``percentile``: :func:`percentile_rank` (all equal -> 50).
    """
    v = values if direction == "more_need" else -values
    if method == "percentile":
        return percentile_rank(v)
    if np.ptp(v) == 0:
        return np.zeros(len(v))
    return (v - v.mean()) / v.std()


def compute(con: duckdb.DuckDBPyConnection, spec: NeedIndexSpec | None = None
            ) -> NeedIndexResult:
    """Both tables of the index for every school and year with enrollments."""
    spec = spec or load_spec()
    present = tables(con)
    if "enrollments" not in present:
        raise NeedIndexError("the need index needs the enrollments table")
    if "indicator_results" not in present and any(f.kind == "indicator" for f in spec.factors):
        raise NeedIndexError("no indicator_results in the warehouse: run `gapwatch run` first")
    names = dict(con.sql("SELECT school_id, min(school_name) FROM schools GROUP BY 1")
                 .fetchall()) if "schools" in present else {}
    universe = con.sql("SELECT CAST(school_year AS INTEGER), school_id, count(*) "
                       "FROM enrollments GROUP BY 1, 2 ORDER BY 1, 2").fetchall()
    values = {f.id: factor_values(con, f, present) for f in spec.factors}
    unavailable = {f.id: (f"needs {needs_table(f)}" if needs_table(f) not in (None, *present)
                          else "no data") for f in spec.factors if not values[f.id]}
    index_rows: list[dict] = []
    factor_rows: list[dict] = []
    for year in sorted({y for y, _, _ in universe}):
        schools = [(s, n) for y, s, n in universe if y == year]
        idx, fac = _year(year, schools, values, spec)
        for row in idx:
            row["school_name"] = names.get(row["school_id"], row["school_id"])
        index_rows += idx
        factor_rows += fac
    return NeedIndexResult(pa.Table.from_pylist(index_rows, INDEX_SCHEMA),
                           pa.Table.from_pylist(factor_rows, FACTORS_SCHEMA), unavailable)


def need_index(con: duckdb.DuckDBPyConnection, spec: NeedIndexSpec | None = None) -> pa.Table:
    """One row per school and year: score, rank (1 = highest need), percentile, band, note."""
    return compute(con, spec).index


def need_factors(con: duckdb.DuckDBPyConnection, spec: NeedIndexSpec | None = None) -> pa.Table:
    """One row per school, year and factor used: raw and standardized value, weight, share."""
    return compute(con, spec).factors


def band_map(index: pa.Table) -> dict[tuple[int, str], str]:
    """``(school_year, school_id) -> band`` of the scored schools (the form the staffing and
    budget comparisons by need band take)."""
    return {(int(r["school_year"]), r["school_id"]): r["band"]
            for r in index.select(["school_year", "school_id", "band"]).to_pylist()
            if r["band"] is not None}


def _year(year: int, schools: list[tuple[str, int]], values: dict, spec: NeedIndexSpec
          ) -> tuple[list[dict], list[dict]]:
    used: dict[str, list[tuple[Factor, float, float]]] = {s: [] for s, _ in schools}
    missing: dict[str, list[str]] = {s: [] for s, _ in schools}
    for f in spec.factors:
        ok: list[tuple[str, float]] = []
        for s, _ in schools:
            value, n = values[f.id].get((year, s), (None, None))
            if value is None:
                missing[s].append(f"{f.id} (no data)")
            elif n is not None and n < spec.min_n:
                missing[s].append(f"{f.id} (n={n} < {spec.min_n})")
            else:
                ok.append((s, value))
        if len(ok) == 1:
            missing[ok[0][0]].append(f"{f.id} (no other school to compare with)")
            ok = []
        if ok:
            std = standardize(np.array([v for _, v in ok]), f.direction, spec.standardize)
            for (s, v), z in zip(ok, std.tolist(), strict=True):
                used[s].append((f, v, z))
    scores: dict[str, float] = {}
    index_rows, factor_rows, notes = [], [], {}
    total = math.fsum(f.weight for f in spec.factors)  # 1 for a loaded spec
    for s, _ in schools:
        weight_used = math.fsum(f.weight for f, _, _ in used[s])
        share = weight_used / total
        scored = bool(used[s]) and share + _TOLERANCE >= spec.min_weight
        parts = [f"missing {', '.join(missing[s])}"] if missing[s] else []
        if scored and missing[s]:
            parts.append(f"weights rescaled over {len(used[s])} of {len(spec.factors)} factors "
                         f"({share:.3f} of the weight)")
        if len(schools) < 2:
            parts = ["not scored: a need index compares schools with each other, and this "
                     "year has 1 school (2 needed)"]
        elif not scored:
            parts.append(f"not scored: the factors with data carry {share:.3f} of the weight "
                         f"(min_weight {spec.min_weight:g})")
        notes[s] = "; ".join(parts) or None
        contributions = []
        for f, raw, z in used[s]:
            weight = f.weight / weight_used if scored else None
            contribution = weight * z if weight is not None else None
            contributions.append(contribution)
            factor_rows.append({"school_year": year, "school_id": s, "factor": f.id,
                                "raw_value": raw, "standardized": z, "weight": weight,
                                "contribution": contribution})
        if scored:
            scores[s] = math.fsum(contributions)
    ids = list(scores)
    arr = np.array([scores[s] for s in ids])
    pct = dict(zip(ids, percentile_rank(arr).tolist(), strict=True)) if ids else {}
    rank = {s: 1 + int((arr > scores[s]).sum()) for s in ids}
    for s, n in schools:
        score = scores.get(s)
        band = None if score is None else spec.bands.band(
            pct[s] if spec.bands.on == "percentile" else score)
        index_rows.append({"school_year": year, "school_id": s, "score": score,
                           "rank": rank.get(s), "percentile": pct.get(s), "band": band,
                           "n_students": n, "factors_used": len(used[s]), "note": notes[s]})
    index_rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["school_id"]))
    return index_rows, factor_rows


# --- stability ---------------------------------------------------------------------------------

def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties given the average of the positions they share."""
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    first = np.r_[True, xs[1:] != xs[:-1]] if len(x) else np.zeros(0, bool)
    starts = np.flatnonzero(first)
    ends = np.r_[starts[1:], len(x)]
    ranks = np.empty(len(x))
    ranks[order] = ((starts + 1 + ends) / 2)[np.cumsum(first) - 1]
    return ranks


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    """Pearson correlation of average ranks; None when either side has no variation."""
    if len(a) < 2:
        return None
    ra, rb = average_ranks(a) - (len(a) + 1) / 2, average_ranks(b) - (len(b) + 1) / 2
    denom = math.sqrt(float((ra * ra).sum() * (rb * rb).sum()))
    if denom == 0:
        return None
    return max(-1.0, min(1.0, float((ra * rb).sum()) / denom))


def spearman_interval(rho: float, n: int, level: float = 0.95
                      ) -> tuple[float | None, float | None]:
    """Fisher-z interval: tanh(atanh(rho) +/- q * sqrt(1.06 / (n - 3))).

    The variance 1.06 / (n - 3) of atanh(rho) for Spearman's rho is from Fieller, Hartley &
    Pearson (1957), "Tests for rank correlation coefficients. I", Biometrika 44, 470-481.
    None when n <= 3; a perfect correlation gives a zero-width interval.
    """
    if n <= 3:
        return None, None
    if abs(rho) >= 1:
        return rho, rho
    z, se = math.atanh(rho), math.sqrt(1.06 / (n - 3))
    q = float(ndtri(0.5 + level / 2))
    return math.tanh(z - q * se), math.tanh(z + q * se)


def rank_stability(index: pa.Table) -> pa.Table:
    """Spearman correlation of scores between each year and the next, over the schools scored
    in both, with n, a 95% interval and how many of those schools changed band."""
    by_year: dict[int, dict[str, tuple[float, str]]] = {}
    for row in index.select(["school_year", "school_id", "score", "band"]).to_pylist():
        if row["score"] is not None:
            by_year.setdefault(row["school_year"], {})[row["school_id"]] = (row["score"],
                                                                           row["band"])
    rows = []
    for year in sorted(by_year):
        if year + 1 not in by_year:
            continue
        now, nxt = by_year[year], by_year[year + 1]
        common = sorted(set(now) & set(nxt))
        a = np.array([now[s][0] for s in common])
        b = np.array([nxt[s][0] for s in common])
        rho = spearman(a, b)
        low, high = spearman_interval(rho, len(common)) if rho is not None else (None, None)
        rows.append({"from_year": year, "to_year": year + 1, "n": len(common),
                     "spearman": rho, "ci_low": low, "ci_high": high,
                     "band_changes": sum(now[s][1] != nxt[s][1] for s in common)})
    return pa.Table.from_pylist(rows, STABILITY_SCHEMA)
