"""Wide engine output to long rows: one row per indicator and student group, exact aggregates.

The engines return, per entity and group (twins of EL groups included, ``academic:EL``,
``elpi:EL``), the counts and integer sums of every indicator; :func:`long_rows` keeps each
indicator's rows for its own EL definition and forms means and variances exactly, with the
participation rule's LOSS values for Distance from Standard when it is on.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from gapwatch.indicators.aggregate import SCALE, TWIN_PREFIXES, Compiled
from gapwatch.indicators.participation import group_means
from gapwatch.indicators.registry import Kind
from gapwatch.indicators.stats import exact_mean_var


def long_rows(wide: pa.Table, compiled: list[Compiled], participation_rule: bool = False
          ) -> dict[str, list]:
    """Wide engine output -> one row per indicator and group with exact aggregates (Distance
    from Standard with the participation rule's LOSS values when ``participation_rule``)."""
    groups = np.asarray(wide["student_group"].to_pylist(), dtype=object)
    twin_of = np.asarray([next((v for v, p in TWIN_PREFIXES.items() if g.startswith(p)), "")
                          for g in groups], dtype=object)
    is_twin = twin_of != ""
    has_el = np.fromiter(("EL" in g.split("+") for g in groups), bool, len(groups))
    stripped = np.asarray([g.split(":", 1)[1] if t else g
                           for g, t in zip(groups, is_twin, strict=True)], dtype=object)
    base = {k: np.asarray(wide[k].to_pylist(), dtype=object)
            for k in ("school_year", "entity_type", "entity_id")}
    out: dict[str, list] = {k: [] for k in (*base, "indicator", "student_group", "n",
                                            "numerator", "mean", "var", "kind", "direction",
                                            "level_counts", "participation", "loss_added")}
    for i, c in enumerate(compiled):
        n = wide[f"a{i}_n"].to_numpy(zero_copy_only=False).astype(np.int64)
        if c.indicator.el_group in TWIN_PREFIXES:
            keep = (n > 0) & ((twin_of == c.indicator.el_group) | (~is_twin & ~has_el))
        else:
            keep = (n > 0) & ~is_twin
        count = int(keep.sum())
        for k, values in base.items():
            out[k].extend(values[keep].tolist())
        out["student_group"].extend(stripped[keep].tolist())
        out["indicator"].extend([c.id] * count)
        out["kind"].extend([c.indicator.kind.value] * count)
        out["direction"].extend([c.indicator.direction.value] * count)
        if c.indicator.level_count:
            counts = np.column_stack([
                wide[f"a{i}_l{k}"].to_numpy(zero_copy_only=False).astype(np.int64)
                for k in range(1, c.indicator.level_count + 1)])[keep]
            out["level_counts"].extend(counts.tolist())
        else:
            out["level_counts"].extend([None] * count)
        if c.indicator.kind is Kind.RATE:
            k = wide[f"a{i}_k"].to_numpy(zero_copy_only=False).astype(np.int64)
            out["n"].extend(n[keep].tolist())
            out["numerator"].extend(k[keep].tolist())
            out["mean"].extend([np.nan] * count)
            out["var"].extend([np.nan] * count)
            out["participation"].extend([None] * count)
            out["loss_added"].extend([None] * count)
            continue
        totals = np.asarray(wide[f"a{i}_s"].to_pylist(), dtype=object)[keep]
        squares = np.asarray(wide[f"a{i}_ss"].to_pylist(), dtype=object)[keep]
        if c.indicator.participation:
            col = {x: np.asarray(wide[f"a{i}_{x}"].to_pylist(), dtype=object)[keep].tolist()
                   for x in ("pe", "pt", "pl")}
            means, variances, rates, added, ns = group_means(
                totals.tolist(), squares.tolist(), n[keep].tolist(), col["pe"], col["pt"],
                col["pl"], base["school_year"][keep].tolist(), participation_rule, SCALE)
            out["mean"].extend(means)
            out["var"].extend(variances)
            out["participation"].extend(rates)
            out["loss_added"].extend(added)
            out["n"].extend(ns)
            if c.indicator.level_count and count:  # the LOSS values are Level 1 scores
                for row, k in zip(out["level_counts"][-count:], added, strict=True):
                    row[0] += k
        else:
            for total, square, m in zip(totals, squares, n[keep].tolist(), strict=True):
                mean, var = exact_mean_var(int(total), int(square), m, SCALE)
                out["mean"].append(mean)
                out["var"].append(var)
            out["n"].extend(n[keep].tolist())
            out["participation"].extend([None] * count)
            out["loss_added"].extend([None] * count)
        out["numerator"].extend([None] * count)
    return out
