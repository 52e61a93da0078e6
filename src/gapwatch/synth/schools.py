"""The district's schools: types, grade spans, feeder areas, need, and school effects.

Schools sit in feeder *areas*, one per comprehensive high school; each area's elementary and
middle schools feed its high school. Areas are grouped into board districts (trustee areas).
Every area has a need latent (standard normal, stratified so that even a small district gets
both ends); each school adds its own deviation. Need drives who enrolls (composition), staffing,
community conditions and, a little, outcomes. Each school also gets an effect on achievement,
its own size of the SED gap, and its own discipline climate and bias.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from gapwatch.synth.params import SynthParams

# Internal kinds of school and how each is written in the contract.
ELEM, MIDDLE, HIGH, K8, K12, ALT = range(6)
TYPE_CODE = ("ELEM", "MIDDLE", "HIGH", "ELEM", "K12", "ALT")
SPAN = ((-1, 5), (6, 8), (9, 12), (-1, 8), (-1, 12), (9, 12))
SUFFIX = ("Elementary", "Middle School", "High School", "Academy", "Span School",
          "Continuation High School")
N_GRADES = 14  # TK (-1) .. 12

FIRST = (
    "Adams", "Alvarado", "Bethune", "Budlong", "Cabrillo", "Carver", "Chavez", "Clinton",
    "Del Rey", "Dolores Huerta", "Douglass", "Eastman", "Eldridge", "Fairfax", "Franklin",
    "Garfield", "Garvanza", "Grant", "Harmony", "Hillcrest", "Hoover", "Huntington", "Jefferson",
    "Kennedy", "King", "Lafayette", "Lincoln", "Loma Vista", "Madison", "Manchester", "Marshall",
    "Mar Vista", "Mendez", "Mirasol", "Monroe", "Montara", "Nightingale", "Ocean View", "Olympic",
    "Palms", "Parks", "Pio Pico", "Ramona", "Roosevelt", "Sequoia", "Sierra", "Sotomayor",
    "Stanford", "Sunrise", "Taft", "Tubman", "Valencia", "Van Ness", "Vermont", "Washington",
    "Westside", "Whitman", "Wilson", "Yorkdale", "Zapata",
)
SECOND = ("", "Avenue", "Street", "Park", "Heights", "Valley", "Hills", "Gardens", "Boulevard",
          "Canyon", "Harbor", "Grove")

#: Region names of the board districts (used for community partners' `area`).
REGIONS = ("North", "Northeast", "East", "Central", "South", "West", "Harbor", "Valley",
           "Southeast", "Northwest")


def region_name(board: int) -> str:
    """Region name of board district ``board`` (1-based)."""
    return REGIONS[board - 1] if board <= len(REGIONS) else f"Region {board}"


@dataclass
class Layout:
    """Every school as arrays indexed by school number, plus the feeder-area lookup."""

    kind: np.ndarray  # int8, one of ELEM..ALT
    grade_low: np.ndarray  # int8, -1 = TK
    grade_high: np.ndarray
    area: np.ndarray  # int32
    board: np.ndarray  # int16, 1-based
    charter: np.ndarray  # bool
    need: np.ndarray  # float64, standard-normal need latent
    effect: np.ndarray  # achievement effect (SD)
    gap_mult: np.ndarray  # this school's SED gap as a multiple of the district's
    discipline: np.ndarray  # log-rate of incidents
    aa_bias: np.ndarray  # multiple of the district's AA discipline bias
    weight: np.ndarray  # relative size
    dual_language: np.ndarray  # bool
    ids: list[str]
    names: list[str]
    area_weight: np.ndarray
    _cum: np.ndarray  # feeder lookup: group key + cumulative weight within the group
    _cand: np.ndarray  # school of each cumulative entry
    _alt_cum: np.ndarray
    _alt_cand: np.ndarray

    @property
    def n(self) -> int:
        return int(self.kind.size)

    @property
    def n_areas(self) -> int:
        return int(self.area_weight.size)

    @property
    def served_grades(self) -> np.ndarray:
        """bool[14]: whether some school serves each grade (index 0 = TK)."""
        g = np.arange(-1, 13)
        return ((self.grade_low[:, None] <= g) & (g <= self.grade_high[:, None])).any(axis=0)

    def serves(self, school: np.ndarray, grade: np.ndarray) -> np.ndarray:
        return (self.grade_low[school] <= grade) & (grade <= self.grade_high[school])

    def pick(self, area: np.ndarray, grade: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A school serving ``grade`` in ``area`` (else nearby), chosen by size with ``u``."""
        key = area.astype(np.float64) * N_GRADES + (grade.astype(np.float64) + 1)
        idx = np.searchsorted(self._cum, key + u * (1 - 1e-9), side="right")
        return self._cand[idx]

    def pick_anywhere(self, grade: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A school serving ``grade`` anywhere in the district, chosen by size with ``u``."""
        return self.pick(np.full(grade.shape, self.n_areas, dtype=np.int32), grade, u)

    def pick_alt(self, board: np.ndarray, u: np.ndarray) -> np.ndarray:
        """An alternative school in ``board`` (else any); -1 when the district has none."""
        if self._alt_cand.size == 0:
            return np.full(board.shape, -1, dtype=np.int32)
        idx = np.searchsorted(self._alt_cum, board + u * (1 - 1e-9), side="right")
        return self._alt_cand[idx]


#: ``school_types`` words for each internal kind.
KIND_NAMES = ("ELEM", "MIDDLE", "HIGH", "K8", "K12", "ALT")


def parse_school_types(text: str) -> list[int]:
    """The kinds named in ``school_types`` ("ELEM,HIGH,ALT"); ValueError on an unknown word."""
    kinds = []
    for word in (w.strip().upper() for w in text.split(",") if w.strip()):
        if word not in KIND_NAMES:
            raise ValueError(f"school_types: unknown school type {word!r}; use "
                             f"{', '.join(KIND_NAMES)}")
        kinds.append(KIND_NAMES.index(word))
    return kinds


def _counts(n: int, p: SynthParams) -> list[int]:
    """How many schools of each kind (ELEM, MIDDLE, HIGH, K8, K12, ALT)."""
    if p.school_types:
        kinds = parse_school_types(p.school_types)
        return [kinds.count(k) for k in range(6)]
    if n < 3:
        return [0, 0, 0, 0, n, 0]
    alt = round(n * p.alt_share) if n >= 10 else 0
    k12 = round(n * p.k12_share)
    k8 = round(n * p.k8_share)
    high = max(1, round(n * p.high_school_share))
    middle = max(1, round(n * p.middle_school_share))
    elem = n - alt - k12 - k8 - high - middle
    while elem < 1:
        if k8:
            k8 -= 1
        elif alt:
            alt -= 1
        elif middle > 1:
            middle -= 1
        else:
            high -= 1
        elem += 1
    return [elem, middle, high, k8, k12, alt]


def _stratified_normal(n: int, rng: np.random.Generator) -> np.ndarray:
    nd = NormalDist()
    q = np.array([nd.inv_cdf((k + 0.5) / n) for k in range(n)])
    return q[rng.permutation(n)]


def _names(kind: np.ndarray, rng: np.random.Generator) -> list[str]:
    combos = [f"{a} {b}".strip() for a in FIRST for b in SECOND]
    order = rng.permutation(len(combos))
    names = []
    for i, k in enumerate(kind):
        stem = combos[order[i % len(combos)]]
        lap = i // len(combos)
        names.append(f"{stem} {SUFFIX[k]}" + (f" {lap + 1}" if lap else ""))
    return names


def build_layout(n_schools: int, p: SynthParams, rng: np.random.Generator) -> Layout:
    """Lay out ``n_schools`` schools in feeder areas and board districts."""
    if n_schools < 1:
        raise ValueError("a district needs at least one school")
    counts = _counts(n_schools, p)
    if sum(counts) != n_schools:
        raise ValueError(f"school_types names {sum(counts)} schools, but {n_schools} were "
                         "asked for")
    kind = np.repeat(np.arange(6, dtype=np.int8), counts)
    n = kind.size
    n_areas = max(1, counts[HIGH]) if counts[HIGH] else 1
    area = np.empty(n, dtype=np.int32)
    for k in range(6):
        sel = np.flatnonzero(kind == k)
        if sel.size == 0:
            continue
        # the first n_areas schools of a kind go one to an area; the rest at random
        first = np.arange(min(sel.size, n_areas))
        rest = rng.integers(0, n_areas, sel.size - first.size)
        area[sel] = np.concatenate([rng.permutation(n_areas)[: first.size], rest])
    # charters: schools that are not the first of their kind in their area
    charter = np.zeros(n, dtype=bool)
    eligible = np.flatnonzero(np.isin(kind, (ELEM, MIDDLE, HIGH)))
    seen: set[tuple[int, int]] = set()
    extra = []
    for s in eligible:
        key = (int(kind[s]), int(area[s]))
        if key in seen:
            extra.append(s)
        seen.add(key)
    n_charter = min(round(n * p.charter_share), len(extra))
    if n_charter:
        charter[rng.choice(np.asarray(extra), n_charter, replace=False)] = True

    area_need = p.area_need_sd * _stratified_normal(n_areas, rng)
    boards = max(1, min(p.board_districts, n_areas))
    order = np.argsort(area_need + rng.normal(0, 1, n_areas), kind="stable")
    area_board = np.empty(n_areas, dtype=np.int16)
    area_board[order] = (np.arange(n_areas) * boards // n_areas + 1).astype(np.int16)
    area_weight = rng.lognormal(0, 0.3, n_areas)

    need = area_need[area] + p.school_need_sd * rng.normal(0, 1, n)
    weight = rng.lognormal(0, 0.25, n) * np.where(charter, 0.6, 1.0)
    effect = p.school_effect_sd * rng.normal(0, 1, n) - p.school_need_effect * need
    gap_mult = np.clip(1 + p.school_gap_sd * rng.normal(0, 1, n), 0.1, 2.5)
    discipline = rng.normal(0, 0.45, n) + 0.15 * need
    aa_bias = np.clip(1 + 0.5 * rng.normal(0, 1, n), 0, 2.5)
    dual = np.isin(kind, (ELEM, K8, K12)) & (rng.random(n) < p.dual_language_school_share)
    span = np.asarray(SPAN, dtype=np.int8)
    width = max(4, len(str(n)))
    layout = Layout(
        kind=kind,
        grade_low=span[kind, 0],
        grade_high=span[kind, 1],
        area=area,
        board=area_board[area],
        charter=charter,
        need=need,
        effect=effect,
        gap_mult=gap_mult,
        discipline=discipline,
        aa_bias=aa_bias,
        weight=weight,
        dual_language=dual,
        ids=[f"{i + 1:0{width}d}" for i in range(n)],
        names=_names(kind, rng),
        area_weight=area_weight,
        _cum=np.empty(0),
        _cand=np.empty(0, dtype=np.int32),
        _alt_cum=np.empty(0),
        _alt_cand=np.empty(0, dtype=np.int32),
    )
    _build_lookup(layout, area_board)
    return layout


def _build_lookup(lay: Layout, area_board: np.ndarray) -> None:
    """Feeder lookup: for each (area, grade) the schools a student may attend, by size."""
    regular = lay.kind != ALT
    if not regular.any():  # a district of continuation schools only
        regular = np.ones_like(regular)
    cums, cands = [], []
    for a in range(lay.n_areas + 1):  # the last "area" is the whole district
        for gi in range(N_GRADES):
            g = gi - 1
            serves = regular & (lay.grade_low <= g) & (g <= lay.grade_high)
            sel = np.flatnonzero(serves & (lay.area == a))
            if sel.size == 0 and a < lay.n_areas:
                sel = np.flatnonzero(serves & (lay.board == area_board[a]))
            if sel.size == 0:
                sel = np.flatnonzero(serves)
            if sel.size == 0:  # a grade no school serves: never picked (no student in it)
                sel = np.flatnonzero(regular)
            w = lay.weight[sel] / lay.weight[sel].sum()
            c = np.cumsum(w)
            c[-1] = 1.0
            cums.append(a * N_GRADES + gi + c)
            cands.append(sel)
    lay._cum = np.concatenate(cums)
    lay._cand = np.concatenate(cands).astype(np.int32)
    alt = np.flatnonzero(lay.kind == ALT)
    if alt.size:
        cums, cands = [], []
        for b in range(int(lay.board.max()) + 2):
            sel = alt[lay.board[alt] == b]
            if sel.size == 0:
                sel = alt
            c = np.arange(1, sel.size + 1) / sel.size
            cums.append(b + c)
            cands.append(sel)
        lay._alt_cum = np.concatenate(cums)
        lay._alt_cand = np.concatenate(cands).astype(np.int32)
