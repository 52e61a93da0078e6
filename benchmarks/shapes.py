"""Figures of a district-shapes run: what was drawn, how each command ended, how long it took.

    GAPWATCH_SHAPES_LOG=shapes.jsonl HYPOTHESIS_PROFILE=deep \
        python -m pytest tests/test_district_shapes.py -k every_command
    python benchmarks/shapes.py shapes.jsonl [more.jsonl ...]

Each line of the log is one shape that passed (every command ended with exit 0, 1 or 2 and a
message, never a traceback). Prints the shapes' spread (schools, years, students, school types,
tables left out, groups left out, a year without assessments) and, per command, the exit codes
and seconds (median, 95th percentile, maximum).
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path


def _spread(values: list[int]) -> str:
    return f"{min(values)}-{max(values)} (median {statistics.median(values):g})"


def main(paths: list[str]) -> None:
    shapes = [json.loads(line) for p in paths for line in Path(p).read_text().splitlines()
              if line.strip()]
    if not shapes:
        sys.exit("no shapes in the log")
    drawn = [s["shape"] for s in shapes]
    types = Counter(t for s in drawn for t in (s["school_types"] or "mixed").split(","))
    print(f"{len(shapes)} shapes, every command ended with exit 0, 1 or 2 and a message\n")
    print(f"schools   {_spread([s['schools'] for s in drawn])}")
    print(f"years     {_spread([s['years'] for s in drawn])}")
    print(f"students  {_spread([s['students'] for s in drawn])}")
    print("school types  " + ", ".join(f"{t} {n}" for t, n in types.most_common()))
    print(f"one school     {sum(s['schools'] == 1 for s in drawn)}; one year "
          f"{sum(s['years'] == 1 for s in drawn)}; a year without assessments "
          f"{sum(s['no_assessments_year'] is not None for s in drawn)}")
    dropped = Counter(t for s in drawn for t in s["drop_tables"])
    print("tables left out  " + ", ".join(f"{t} {n}" for t, n in dropped.most_common()))
    absent = Counter(g for s in drawn for g in s["absent_groups"])
    print("groups left out  " + ", ".join(f"{g} {n}" for g, n in absent.most_common()) + "\n")
    codes: dict[str, Counter] = defaultdict(Counter)
    seconds: dict[str, list[float]] = defaultdict(list)
    for s in shapes:
        for command, (code, took) in s["commands"].items():
            codes[command][code] += 1
            seconds[command].append(took)
    print(f"{'command':18} {'exit 0':>7} {'exit 1':>7} {'exit 2':>7} {'p50 s':>7} {'p95 s':>7} "
          f"{'max s':>7}")
    for command, times in seconds.items():
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"{command:18} {codes[command][0]:>7} {codes[command][1]:>7} "
              f"{codes[command][2]:>7} {statistics.median(times):>7.1f} {p95:>7.1f} "
              f"{times[-1]:>7.1f}")
    total = [sum(t for _, t in s["commands"].values()) for s in shapes]
    print(f"\nall commands of a shape: median {statistics.median(total):.0f} s, "
          f"max {max(total):.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
