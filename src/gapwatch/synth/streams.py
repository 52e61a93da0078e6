"""Independent random streams: one per table or step, keyed by name and year.

Each stream is ``PCG64(SeedSequence(seed, spawn_key=(stream, *keys)))``: the same as a child
of ``SeedSequence(seed).spawn``, but addressed by name so that adding draws to one table never
shifts the numbers of another.
"""

from __future__ import annotations

import numpy as np

#: Stream names in a fixed order; append new names at the end, never reorder.
STREAMS: tuple[str, ...] = (
    "schools",
    "population",
    "discipline",
    "attendance",
    "assessments",
    "courses",
    "staff",
    "sections",
    "graduation",
    "budgets",
    "community",
    "partners",
    "interventions",
    "engagement",
    "daily",
    "limited_permit",
    "tamo",
    "biliteracy",
    "guardians",
    "family_records",
    "survey",
)


def stream(seed: int, name: str, *keys: int) -> np.random.Generator:
    """The random generator of step ``name`` (and ``keys``, e.g. the year index)."""
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(STREAMS.index(name), *keys))
    return np.random.Generator(np.random.PCG64(ss))
