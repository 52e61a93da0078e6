"""Run a snippet in a fresh interpreter and report its wall time and peak memory.

Shared by the benchmarks: each measured run is a new process, so the peak resident memory
(``ru_maxrss``) is the run's own and imports are counted like a user's command would count them.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

TEMPLATE = r"""
import json, resource, sys, time
sys.path[:0] = {paths!r}
t0 = time.perf_counter()
{body}
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "peak_mb": peak, "rows": rows}}))
"""


def measure(body: str, *args: Path, paths: tuple[str, ...] = (), timeout: float | None = None,
            memory_gb: float | None = None) -> dict[str, object]:
    """Run ``body`` (which sets ``rows``; ``sys.argv[1:]`` are ``args``) in a new interpreter.

    Returns seconds, peak MB and rows, or ``{"failed": why}`` on an error or timeout.
    """
    script = TEMPLATE.format(body=body, paths=list(paths))

    def limit() -> None:
        if memory_gb:
            cap = int(memory_gb * 1024**3)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    started = time.perf_counter()
    try:
        out = subprocess.run([sys.executable, "-c", script, *map(str, args)],
                             capture_output=True, text=True, timeout=timeout, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return {"failed": f"did not finish in {timeout:.0f} s"}
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"failed": f"{last[:80]} after {time.perf_counter() - started:.0f} s"}
    return json.loads(out.stdout.strip().splitlines()[-1])
