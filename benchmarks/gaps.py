"""Benchmark: gap metrics over arrays (the kernels the gaps table uses) against one call of the
public scalar function per comparison (how the first release built the table; the scalar
functions now call the same kernels with one row), on the same random comparisons.

    .venv/bin/python benchmarks/gaps.py [--rows 200000] [--baseline 2000] [--seed 7]

Rates: counts of 30 to 2,000 students with rates from 2% to 98%; means: DFS-like summaries.
The scalar path is timed on the first ``--baseline`` rows and scaled to ``--rows`` (said so in
the table). The last column checks that both paths give the same values on those rows.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gapwatch import gaps  # noqa: E402
from gapwatch.gaps.disproportionality import risk_ratio_batch  # noqa: E402
from gapwatch.gaps.effect_size import hedges_g_batch  # noqa: E402
from gapwatch.gaps.impact import eighty_percent_index_batch, ppg1_batch  # noqa: E402
from gapwatch.gaps.means import mean_difference_batch  # noqa: E402
from gapwatch.gaps.rates import pp_difference_batch, rate_ratio_batch  # noqa: E402


def inputs(m: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n_a, n_b = rng.integers(30, 2000, m), rng.integers(30, 2000, m)
    p_a, p_b = rng.uniform(0.02, 0.98, m), rng.uniform(0.02, 0.98, m)
    return {"x_a": rng.binomial(n_a, p_a), "n_a": n_a, "x_b": rng.binomial(n_b, p_b),
            "n_b": n_b, "m_a": rng.normal(-30, 40, m), "s_a": rng.uniform(60, 110, m),
            "m_b": rng.normal(-10, 40, m), "s_b": rng.uniform(60, 110, m)}


def cases(d: dict[str, np.ndarray]) -> dict[str, tuple[Callable, Callable, tuple]]:
    """metric: (kernel, scalar function, argument columns)."""
    rates = (d["x_a"], d["n_a"], d["x_b"], d["n_b"])
    means = (d["m_a"], d["s_a"], d["n_a"], d["m_b"], d["s_b"], d["n_b"])
    total = (d["x_a"], d["n_a"], d["x_a"] + d["x_b"], d["n_a"] + d["n_b"])
    return {"pp_difference": (pp_difference_batch, gaps.pp_difference, rates),
            "ratio": (rate_ratio_batch, gaps.rate_ratio, rates),
            "ppg1": (ppg1_batch, gaps.ppg1, total),
            "risk_ratio": (risk_ratio_batch, gaps.risk_ratio, rates),
            "eighty_percent_index": (eighty_percent_index_batch, gaps.eighty_percent_index,
                                     rates),
            "mean_difference": (mean_difference_batch, gaps.mean_difference, means),
            "hedges_g": (hedges_g_batch, gaps.hedges_g, means)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    d = inputs(args.rows, args.seed)
    k = min(args.baseline, args.rows)
    table = Table(title=f"Gap metrics over {args.rows:,} comparisons (scalar path timed on "
                        f"{k:,} and scaled)")
    for col in ("metric", "arrays (s)", "scalar calls (s)", "scalar / arrays", "same values"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for metric, (kernel, scalar, cols) in cases(d).items():
        start = time.perf_counter()
        batch = kernel(*cols)
        t_batch = time.perf_counter() - start
        rows = [tuple(float(c[i]) for c in cols) for i in range(k)]
        start = time.perf_counter()
        one = [scalar(*r) for r in rows]
        t_scalar = (time.perf_counter() - start) * args.rows / k
        same = np.allclose([g.value for g in one], batch.value[:k], rtol=1e-12, atol=1e-12,
                           equal_nan=True)
        table.add_row(metric, f"{t_batch:.3f}", f"{t_scalar:.2f}", f"{t_scalar / t_batch:.0f}x",
                      "yes" if same else "NO")
    Console().print(table)


if __name__ == "__main__":
    main()
