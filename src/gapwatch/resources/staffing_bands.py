"""Staffing measures pooled by need band, and the gap between the highest- and lowest-need bands.

The need index (built elsewhere) gives each school and year a band; these functions take it as
a mapping ``(school_year, school_id) -> band``, one of :data:`BANDS`. Schools without a band are
left out. Pooling, by measure kind (:mod:`gapwatch.resources.staffing_spec`):

- rates: numerators and denominators are added over the band's schools (a band's novice share
  is its novice teachers over its teachers), with a Wilson 95% interval;
  ``principal_change`` counts schools whose principal changed among schools compared;
- ratios: FTE and students are added (``100 * sum(FTE) / sum(students)``); the FTE shares of
  CDE's teacher assignment outcomes add FTE the same way (``100 * sum(FTE in the outcome) /
  sum(teacher FTE)``);
- means: the unweighted mean over schools.

Band gaps (``band_gap``), highest-need minus lowest-need band, 95% intervals:

- rates: :func:`gapwatch.gaps.pp_difference` on the pooled counts (Newcombe 1998 hybrid score
  interval). It treats teachers (sections) as independent; teachers of one school share its
  conditions, so the interval is too narrow when schools differ a lot (no design effect).
- ratios: the ratio estimator's linearized variance from school-to-school variation
  (Cochran 1977, *Sampling Techniques*, 3rd ed., chapter 6):
  ``v(R) = sum((y_i - R x_i)^2) / (m (m - 1) xbar^2)`` over the band's m schools, with y the
  numerator and x the denominator of each school; the gap's se is ``sqrt(v_high + v_low)`` and
  the interval ``gap +/- 1.96 se`` (normal). Schools are treated as draws from the schools the
  district could have; needs 2 schools per band, and with fewer than :data:`FEW_SCHOOLS` in a
  band the note warns that the interval is too narrow (a t interval would be wider).
- means: :func:`gapwatch.gaps.mean_difference` over schools (Welch se, normal interval).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pyarrow as pa

from gapwatch.gaps import Gap, mean_difference, pp_difference
from gapwatch.gaps.result import make_gap, undefined_gap
from gapwatch.indicators.stats import rate_stats
from gapwatch.resources.staffing_spec import BANDS, FTE_SHARES, MEANS, RATES, RATIOS, Measure
from gapwatch.stats import Z95

Bands = Mapping[tuple[int, str], str]

#: Below this many schools in a band, ratio and mean gaps carry a note: the normal interval
#: from school-to-school variation is too narrow when it rests on a handful of schools.
FEW_SCHOOLS = 10

#: Columns of :func:`staffing_by_band`, in order.
BAND_COLUMNS = ["school_year", "band", "schools",
                *(f"{m.name}_{s}" for m in RATES
                  for s in ("num", "den", "rate", "ci_low", "ci_high")),
                *(c for m in (*RATIOS, *FTE_SHARES, *MEANS)
                  for c in (m.name, f"{m.name}_schools")), "note"]


def _band_schema() -> pa.Schema:
    def kind(c: str) -> pa.DataType:
        if c in ("band", "note"):
            return pa.string()
        if c in ("school_year", "schools") or c.endswith(("_num", "_den", "_schools")):
            return pa.int64()
        return pa.float64()
    return pa.schema([(c, kind(c)) for c in BAND_COLUMNS])


def _counts(rows: dict[str, list], m: Measure, idx: list[int]) -> tuple[int, int]:
    """Pooled (numerator, denominator) of a rate over the rows ``idx``."""
    if m.name == "principal_change":
        vals = [rows["principal_changed"][i] for i in idx]
        return sum(1 for v in vals if v), sum(1 for v in vals if v is not None)
    num = [rows[f"{m.name}_num"][i] for i in idx]
    den = [rows[f"{m.name}_den"][i] for i in idx]
    return sum(v for v in num if v is not None), sum(v for v in den if v is not None)


def _ratio_parts(rows: dict[str, list], m: Measure, idx: list[int]) -> tuple[np.ndarray, ...]:
    """(y, x) of the schools with the ratio computed."""
    keep = [i for i in idx if rows[m.name][i] is not None]
    return (np.array([rows[m.numerator][i] for i in keep], dtype=float),
            np.array([rows[m.denominator][i] for i in keep], dtype=float))


def _values(rows: dict[str, list], m: Measure, idx: list[int]) -> np.ndarray:
    return np.array([rows[m.name][i] for i in idx if rows[m.name][i] is not None], dtype=float)


def _grouped(by_school: pa.Table, bands: Bands) -> tuple[dict[str, list],
                                                          dict[tuple[int, str], list[int]]]:
    """The table as lists, and its row numbers by (school_year, band)."""
    unknown = sorted({b for b in bands.values() if b not in BANDS})
    if unknown:
        raise ValueError(f"unknown need band(s) {unknown}; expected one of {list(BANDS)}")
    rows = by_school.to_pydict()
    groups: dict[tuple[int, str], list[int]] = {}
    for i, key in enumerate(zip(rows["school_year"], rows["school_id"], strict=True)):
        band = bands.get((int(key[0]), key[1]))
        if band is not None:
            groups.setdefault((int(key[0]), band), []).append(i)
    order = {b: k for k, b in enumerate(BANDS)}
    return rows, dict(sorted(groups.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])))


def staffing_by_band(by_school: pa.Table, bands: Bands) -> pa.Table:
    """The measures of :func:`staffing_by_school` pooled by school year and need band.

    Columns: ``school_year``, ``band``, ``schools``; per rate ``<name>_num``, ``_den``,
    ``_rate``, ``_ci_low``, ``_ci_high``; per ratio and mean ``<name>`` and ``<name>_schools``
    (schools with a value); ``note`` lists measures no school of the band had.
    """
    rows, groups = _grouped(by_school, bands)
    out: dict[str, list] = {c: [] for c in BAND_COLUMNS}
    for (year, band), idx in groups.items():
        out["school_year"].append(year)
        out["band"].append(band)
        out["schools"].append(len(idx))
        empty = []
        for m in RATES:
            k, n = _counts(rows, m, idx)
            stats = rate_stats(k, n) if n else None
            for suffix, v in (("num", k), ("den", n), *(
                    (s, float(stats[key]) if stats else None)
                    for s, key in (("rate", "value"), ("ci_low", "ci_low"),
                                   ("ci_high", "ci_high")))):
                out[f"{m.name}_{suffix}"].append(v if n else None)
            empty += [] if n else [m.name]
        for m in (*RATIOS, *FTE_SHARES, *MEANS):
            if m.kind == "ratio":
                y, x = _ratio_parts(rows, m, idx)
                value = m.scale * y.sum() / x.sum() if x.size else None
                count = x.size
            else:
                v = _values(rows, m, idx)
                value, count = (float(v.mean()) if v.size else None), v.size
            out[m.name].append(None if value is None else float(value))
            out[f"{m.name}_schools"].append(count)
            empty += [] if count else [m.name]
        out["note"].append(f"no school with data: {', '.join(empty)}" if empty else "")
    return pa.table(out, schema=_band_schema())


def ratio_variance(y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """Ratio estimate sum(y)/sum(x) and its linearized variance over m >= 2 schools (NaN else).

    >>> r, v = ratio_variance(np.array([2.0, 3.0, 4.0]), np.array([100.0, 100.0, 100.0]))
    >>> round(r, 4), round(v, 8)
    (0.03, 3.333e-05)
    """
    m = x.size
    if m == 0:
        return math.nan, math.nan
    r = float(y.sum() / x.sum())
    if m < 2:
        return r, math.nan
    resid = y - r * x
    return r, float((resid**2).sum() / (m * (m - 1) * x.mean() ** 2))


def _ratio_gap(parts_h: tuple[np.ndarray, ...], parts_l: tuple[np.ndarray, ...],
               scale: float) -> Gap:
    (r_h, v_h), (r_l, v_l) = ratio_variance(*parts_h), ratio_variance(*parts_l)
    if not (math.isfinite(v_h) and math.isfinite(v_l)):
        return undefined_gap("ratio_difference", "fewer than 2 schools with data in a band")
    d, se = scale * (r_h - r_l), scale * math.sqrt(v_h + v_l)
    return make_gap("ratio_difference", d, se, d - Z95 * se, d + Z95 * se, null=0.0)


#: Columns of :func:`band_gap`.
GAP_SCHEMA = pa.schema(
    [("school_year", pa.int64()), *((c, pa.string()) for c in (
        "measure", "kind", "unit", "high_band", "low_band")),
     ("high_value", pa.float64()), ("low_value", pa.float64()), ("high_n", pa.int64()),
     ("low_n", pa.int64()), *((c, pa.float64()) for c in ("gap", "se", "ci_low", "ci_high")),
     ("beyond_noise", pa.bool_()), ("method", pa.string()), ("note", pa.string())])


def band_gap(by_school: pa.Table, bands: Bands, *, high: str = "Highest",
             low: str = "Lowest") -> pa.Table:
    """Band ``high`` minus band ``low`` for every measure and school year.

    Columns: ``school_year``, ``measure``, ``kind``, ``unit`` (of ``gap``), ``high_band``,
    ``low_band``, ``high_value``, ``low_value`` (percent for rates), ``high_n``, ``low_n``
    (teachers, sections or schools pooled for rates; schools for ratios and means), ``gap``,
    ``se``, ``ci_low``, ``ci_high``, ``beyond_noise`` (the 95% interval excludes 0; NULL when
    the gap cannot be computed), ``method``, ``note``.
    """
    for b in (high, low):
        if b not in BANDS:
            raise ValueError(f"unknown need band {b!r}; expected one of {list(BANDS)}")
    rows, groups = _grouped(by_school, bands)
    out: dict[str, list] = {c: [] for c in GAP_SCHEMA.names}
    for year in sorted({y for y, _ in groups}):
        ih, il = groups.get((year, high), []), groups.get((year, low), [])
        for m in (*RATES, *RATIOS, *FTE_SHARES, *MEANS):
            if m.kind == "rate":
                (kh, nh), (kl, nl) = _counts(rows, m, ih), _counts(rows, m, il)
                method = "newcombe_hybrid_score"
                g = (pp_difference(kh, nh, kl, nl) if nh and nl else
                     undefined_gap("pp_difference", "no school with data in a band"))
                vh, vl = (100 * kh / nh if nh else None), (100 * kl / nl if nl else None)
            elif m.kind == "ratio":
                ph, pl = _ratio_parts(rows, m, ih), _ratio_parts(rows, m, il)
                g, method = _ratio_gap(ph, pl, m.scale), "ratio_linearized_between_schools"
                nh, nl = ph[1].size, pl[1].size
                vh = m.scale * ph[0].sum() / ph[1].sum() if nh else None
                vl = m.scale * pl[0].sum() / pl[1].sum() if nl else None
            else:
                ah, al = _values(rows, m, ih), _values(rows, m, il)
                nh, nl = ah.size, al.size
                vh, vl = (float(ah.mean()) if nh else None), (float(al.mean()) if nl else None)
                g = (mean_difference(vh, float(ah.std(ddof=1)), nh, vl, float(al.std(ddof=1)),
                                     nl) if min(nh, nl) >= 2 else
                     undefined_gap("mean_difference", "fewer than 2 schools with data in a band"))
                method = "welch_between_schools"
            note = g.note
            if m.kind != "rate" and g.computed and min(nh, nl) < FEW_SCHOOLS:
                note = (f"only {nh} and {nl} schools: the normal interval is too narrow with "
                        "few schools")
            for key, value in (
                    ("school_year", year), ("measure", m.name), ("kind", m.kind),
                    ("unit", m.unit), ("high_band", high), ("low_band", low),
                    ("high_value", vh), ("low_value", vl), ("high_n", int(nh)),
                    ("low_n", int(nl)), ("method", method), ("note", note)):
                out[key].append(value)
            for key in ("gap", "se", "ci_low", "ci_high"):
                v = getattr(g, "value" if key == "gap" else key)
                out[key].append(float(v) if math.isfinite(v) else None)
            out["beyond_noise"].append(None if not g.computed else not g.within_noise)
    return pa.table(out, schema=GAP_SCHEMA)
