"""Conditions around schools and the community partners students can be referred to.

Context measures (per school and year) follow the school's need with noise and a small drift:
``ASTHMA_RATE`` (children with asthma per 100), ``VIOLENCE_EXPOSURE`` (violent crimes per
1,000 residents) and ``YOUTH_PROGRAM_ACCESS`` (index 0-100, higher is better). Values are
invented on plausible scales, not taken from any source. Partners serve a region (the board
districts' regions), offer one to three services, and speak English plus the region's common
home languages. Phone numbers use the fictional 555-01xx range; emails use example.org.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gapwatch.synth.params import SynthParams
from gapwatch.synth.schools import Layout, region_name
from gapwatch.synth.streams import stream

MEASURES = ("ASTHMA_RATE", "VIOLENCE_EXPOSURE", "YOUTH_PROGRAM_ACCESS")
SOURCE = "Synthetic (gapwatch generator)"
SERVICES = ("TUTORING", "MENTAL_HEALTH", "FOOD", "HOUSING", "HEALTH", "AFTER_SCHOOL",
            "FAMILY_SUPPORT", "OTHER")
_SERVICE_P = np.array([0.18, 0.18, 0.12, 0.08, 0.1, 0.16, 0.15, 0.03])
_KINDS = ("Family Resource Center", "Youth Collaborative", "Community Clinic",
          "Tutoring Project", "Mentoring Network", "Food Bank", "Housing Alliance",
          "Counseling Center", "After-School League", "Parent Institute")
_EXTRA_LANGUAGES = ("Korean", "Armenian", "Tagalog", "Mandarin", "Vietnamese", "Cantonese",
                    "Russian", "Farsi")


def context(layout: Layout, years: list[int], seed: int) -> dict[str, object]:
    """``community_context`` columns."""
    rng = stream(seed, "community")
    n, k = layout.n, len(years)
    need = layout.need
    base = np.stack([
        np.clip(9 + 3.5 * need + rng.normal(0, 1.5, n), 2, 30),
        np.clip(np.exp(1.6 + 0.5 * need + rng.normal(0, 0.3, n)), 0.3, 60),
        np.clip(60 - 14 * need + rng.normal(0, 8, n), 0, 100),
    ], axis=1)
    drift = rng.normal(0, 0.03, (k, n, 3)).cumsum(axis=0)
    values = np.round(base[None] * (1 + drift), 1)
    values[..., 2] = np.clip(values[..., 2], 0, 100)
    yi, si, mi = np.meshgrid(np.arange(k), np.arange(n), np.arange(3), indexing="ij")
    yi, si, mi = yi.ravel(), si.ravel(), mi.ravel()
    order = np.lexsort((mi, yi, si))
    return {
        "school_id": [layout.ids[s] for s in si[order]],
        "school_year": np.asarray(years, dtype=np.int16)[yi[order]],
        "measure": [MEASURES[m] for m in mi[order]],
        "value": values.ravel()[order],
        "source": [SOURCE] * order.size,
    }


@dataclass
class Partners:
    ids: list[str]
    board: np.ndarray  # int16 board district served
    services: np.ndarray  # bool (n, len(SERVICES))
    columns: dict[str, object]


def partners(layout: Layout, p: SynthParams, seed: int) -> Partners:
    """``community_partners``: 20-40 organizations (or ``p.partners``)."""
    rng = stream(seed, "partners")
    n = p.partners or int(np.clip(round(layout.n / 20), 20, 40))
    boards = int(layout.board.max())
    board = (np.arange(n) % boards + 1).astype(np.int16)
    board = board[rng.permutation(n)]
    n_serv = rng.integers(1, 4, n)
    services = np.zeros((n, len(SERVICES)), dtype=bool)
    for i in range(n):
        services[i, rng.choice(len(SERVICES), n_serv[i], replace=False,
                               p=_SERVICE_P / _SERVICE_P.sum())] = True
    kinds = rng.integers(0, len(_KINDS), n)
    names, emails, langs = [], [], []
    for i in range(n):
        region = region_name(int(board[i]))
        name = f"{region} {_KINDS[kinds[i]]}"
        if name in names:
            name = f"{name} {i + 1}"
        names.append(name)
        slug = "".join(ch for ch in name.lower() if ch.isalnum())
        emails.append(f"intake@{slug}.example.org")
        extra = rng.choice(_EXTRA_LANGUAGES, rng.integers(0, 3), replace=False)
        langs.append(";".join(["English", "Spanish", *sorted(extra)]))
    ids = [f"P{i + 1:03d}" for i in range(n)]
    columns = {
        "partner_id": ids,
        "name": names,
        "services": [";".join(s for s, on in zip(SERVICES, row, strict=True) if on)
                     for row in services],
        "languages": langs,
        "phone": [f"555-01{i % 100:02d}" for i in range(n)],
        "email": emails,
        "area": [region_name(int(b)) for b in board],
    }
    return Partners(ids, board, services, columns)
