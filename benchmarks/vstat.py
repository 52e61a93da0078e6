"""Benchmark: binormal V statistics, vectorized batch fit against the old per-pair scipy fit.

    .venv/bin/python benchmarks/vstat.py [--fits 10000] [--baseline 500] [--seed 7]

Draws ``--fits`` pairs of realistic 4-level counts (CAASPP-like levels: latent normal scores,
group a ~ N(d, s^2), b ~ N(0, 1), cut at jittered thresholds near -0.7, 0.1, 0.9; 30 to 2,000
students per group) and times

- ``v_statistic_batch(counts_a, counts_b)``: all fits at once (Newton-Raphson in numpy);
- the old per-pair fit, scipy.optimize BFGS (kept as the test oracle in
  tests/test_binormal_batch.py), on a random subsample of ``--baseline`` pairs, scaled up to
  ``--fits`` (said so in the table);
- ``v_statistic`` one pair at a time (the one-row batch), on the same subsample, scaled.

It also prints the largest difference between the batch V and the baseline's on the subsample.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from test_binormal_batch import oracle_v  # noqa: E402  (the old BFGS fit, test oracle)

from gapwatch.gaps import v_statistic, v_statistic_batch  # noqa: E402


def realistic_counts(m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    counts_a, counts_b = np.zeros((m, 4), dtype=np.int64), np.zeros((m, 4), dtype=np.int64)
    for i in range(m):
        cuts = np.array([-0.7, 0.1, 0.9]) + rng.normal(0, 0.1, 3)
        n_a, n_b = rng.integers(30, 2001, 2)
        d, s = rng.normal(0, 0.5), math.exp(rng.normal(0, 0.15))
        counts_a[i] = np.bincount(np.searchsorted(cuts, rng.normal(d, s, n_a)), minlength=4)
        counts_b[i] = np.bincount(np.searchsorted(cuts, rng.normal(0, 1, n_b)), minlength=4)
    return counts_a, counts_b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    m, sub = args.fits, min(args.baseline, args.fits)
    counts_a, counts_b = realistic_counts(m, args.seed)
    sample = np.random.default_rng(args.seed + 1).choice(m, sub, replace=False)

    v_statistic_batch(counts_a[:10], counts_b[:10])  # warm up imports
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        gaps = v_statistic_batch(counts_a, counts_b)
        best = min(best, time.perf_counter() - t0)

    t0 = time.perf_counter()
    old = [oracle_v(counts_a[i], counts_b[i]) for i in sample]
    old_s = (time.perf_counter() - t0) * m / sub

    t0 = time.perf_counter()
    for i in sample:
        v_statistic(counts_a[i], counts_b[i])
    single_s = (time.perf_counter() - t0) * m / sub

    rows = [
        ("v_statistic_batch (vectorized Newton)", f"{m:,}", best, "measured (best of 3)"),
        ("scipy BFGS per pair (old fit)", f"{m:,}", old_s, f"{sub} fits measured, x{m / sub:g}"),
        ("v_statistic per pair (1-row batch)", f"{m:,}", single_s,
         f"{sub} fits measured, x{m / sub:g}"),
    ]
    print(f"Binormal V: {m:,} fits, 4 levels, 30-2,000 students per group (seed {args.seed})")
    print(f"{'method':40} {'fits':>7} {'seconds':>9} {'ms/fit':>8} {'vs batch':>9}  timing")
    for name, fits, secs, how in rows:
        print(f"{name:40} {fits:>7} {secs:9.2f} {1e3 * secs / m:8.3f} {secs / best:8.1f}x  {how}")
    diffs = [abs(gaps[i].value - o.value) for i, o in zip(sample, old, strict=True)
             if math.isfinite(o.value)]
    computed = sum(g.computed for g in gaps)
    print(f"speed-up of the batch over the old fit: {old_s / best:.0f}x; "
          f"{computed:,} of {m:,} V computed; "
          f"largest |V_batch - V_old| on the subsample: {max(diffs):.1e}")


if __name__ == "__main__":
    main()
