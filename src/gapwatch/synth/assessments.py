"""State test scores: Smarter Balanced (SBAC) ELA and math, the CAA, and the ELPAC.

A student-year's achievement = ability + the school's effect - the school's extra SED gap +
noise; EL status costs points in ELA (more) and math while the student is an EL. Achievement is
standardized per year and subject and mapped onto the scale as Distance from Standard (DFS)
around the configured district means, then to scale scores with the published Level 3
thresholds, clipped to the lowest/highest obtainable scores, and leveled with the published
cuts (../shared/design/METHODS.md, section 1.2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gapwatch.reference import SBAC_GRADES, SBAC_SCALE_RANGE, SBAC_THRESHOLDS
from gapwatch.synth import demographics as demo
from gapwatch.synth.calendar import SchoolCalendar
from gapwatch.synth.params import SynthParams
from gapwatch.synth.population import Population
from gapwatch.synth.schools import Layout
from gapwatch.synth.streams import stream
from gapwatch.synth.util import last_in_run

#: subject -> grade -> (Level 2, Level 3, Level 4 thresholds) and (lowest, highest) scores.
SBAC_CUTS: dict[str, dict[int, tuple[int, int, int]]] = {
    subject: {g: SBAC_THRESHOLDS[(subject, g)] for g in SBAC_GRADES} for subject in ("ELA", "MATH")
}
SBAC_RANGE: dict[str, dict[int, tuple[int, int]]] = {
    subject: {g: SBAC_SCALE_RANGE[(subject, g)] for g in SBAC_GRADES} for subject in ("ELA", "MATH")
}
#: Summative ELPAC overall thresholds (lowest of Levels 2, 3, 4) and scale range, 2018-19 on
#: (CDE/ETS "Summative ELPAC Scale Score Ranges"); K = 0, grades 9-10 and 11-12 share a row.
ELPAC_CUTS: dict[int, tuple[int, int, int, int]] = {
    0: (1374, 1422, 1474, 1700), 1: (1411, 1455, 1507, 1700), 2: (1424, 1471, 1532, 1700),
    3: (1448, 1488, 1535, 1800), 4: (1459, 1499, 1549, 1800), 5: (1467, 1514, 1560, 1800),
    6: (1475, 1517, 1567, 1900), 7: (1481, 1527, 1576, 1900), 8: (1486, 1534, 1590, 1900),
    9: (1493, 1545, 1606, 1950), 10: (1493, 1545, 1606, 1950), 11: (1500, 1555, 1615, 1950),
    12: (1500, 1555, 1615, 1950),
}
ELPAC_LOSS = 1150
#: Summative Alternate ELPAC: band base (scores base+1..base+99; Level 2 from base+44,
#: Level 3 from base+60), by grade.
ALT_ELPAC_BASE = {0: 200, 1: 300, 2: 400, 3: 500, 4: 500, 5: 500, 6: 600, 7: 600, 8: 600,
                  9: 700, 10: 700, 11: 800, 12: 800}
#: CAA (ELA and math) scale: APPROXIMATION, not the published ranges; grade g scores
#: 100*g+1 .. 100*g+99 with Level 2 from +35 and Level 3 from +60 (three levels).
CAA_L2, CAA_L3 = 35, 60

TESTS = ("SBAC", "CAA", "ELPAC", "ALT_ELPAC")
SUBJECTS = ("ELA", "MATH", "ELP")


@dataclass
class Scores:
    """One entry per score."""

    row: np.ndarray  # enrollment row of the school where tested
    test: np.ndarray  # int8 into TESTS
    subject: np.ndarray  # int8 into SUBJECTS
    scale_score: np.ndarray  # int32
    level: np.ndarray  # int8 1-4
    day: np.ndarray  # int16 instructional-day index


def achievement(pop: Population, layout: Layout, p: SynthParams, rng: np.random.Generator,
                rows: np.ndarray) -> np.ndarray:
    """Latent achievement (SD units) of enrollment ``rows`` that year, before subject noise."""
    e, st = pop.enrollments, pop.students
    s = e.school[rows]
    gap = p.sed_effect * (layout.gap_mult[s] - 1) * e.sed[rows]
    return (st.ability[e.student[rows]] + layout.effect[s] - gap
            + rng.normal(0, 0.3, rows.size))


def _window_rows(pop: Population, cal: SchoolCalendar, rows: np.ndarray, lo: int, hi: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Rows enrolled some day in [lo, hi]; one per student (the later school); a test day."""
    e = pop.enrollments
    a = np.maximum(e.entry[rows], lo)
    b = np.minimum(e.exit[rows], hi)
    ok = a <= b
    rows, a, b = rows[ok], a[ok], b[ok]
    last = last_in_run(e.student[rows])
    rows, a, b = rows[last], a[last], b[last]
    day = a + (rng.random(rows.size) * (b - a + 1)).astype(np.int64)
    return rows, np.minimum(day, b).astype(np.int16)


def generate(pop: Population, layout: Layout, calendars: list[SchoolCalendar],
             absence: np.ndarray, p: SynthParams, seed: int) -> Scores:
    """Every score of every year."""
    from datetime import date

    e, st = pop.enrollments, pop.students
    out: list[Scores] = []
    for t, cal in enumerate(calendars):
        y = cal.school_year
        rng = stream(seed, "assessments", t)
        in_year = np.flatnonzero(e.year == y)
        # SBAC / CAA: grades 3-8 and 11, mid-April to the end of May
        lo = cal.index_on_or_after(date(y, 4, 15))
        hi = cal.index_on_or_before(date(y, 5, 31))
        tested = in_year[np.isin(e.grade[in_year], SBAC_GRADES)]
        rows, _ = _window_rows(pop, cal, tested, lo, hi, rng)
        ach = achievement(pop, layout, p, rng, rows)
        risk = st.risk[e.student[rows]]
        alt = st.alt_assess[e.student[rows]]
        is_el = e.el[rows] == demo.EL
        newcomer = is_el & (y - st.us_entry_year[e.student[rows]] < 2)
        for si, subject in enumerate(("ELA", "MATH")):
            present = rng.random(rows.size) >= p.test_missing_rate * (0.5 + absence[rows] * 6
                                                                     + 0.3 * (risk > 1))
            penalty = p.el_ela_penalty if subject == "ELA" else p.el_math_penalty
            z = ach + rng.normal(0, 0.45, rows.size) - penalty * is_el * (1 + 0.6 * newcomer)
            sb = present & ~alt
            zz = z[sb]
            zz = (zz - zz.mean()) / max(zz.std(), 1e-9) if zz.size else zz
            mean = (p.ela_mean_dfs if subject == "ELA" else p.math_mean_dfs) + p.dfs_trend * t
            sd = p.ela_sd if subject == "ELA" else p.math_sd
            g = e.grade[rows[sb]]
            cuts = np.array([SBAC_CUTS[subject].get(int(k), (0, 0, 0)) for k in range(13)])
            rng_ = np.array([SBAC_RANGE[subject].get(int(k), (0, 0)) for k in range(13)])
            score = np.round(cuts[g, 1] + mean + sd * zz)
            score = np.clip(score, rng_[g, 0], rng_[g, 1]).astype(np.int32)
            level = 1 + (score >= cuts[g, 0]) + (score >= cuts[g, 1]) + (score >= cuts[g, 2])
            days = _test_days(rows[sb], pop, lo, hi, rng)
            out.append(Scores(rows[sb], np.zeros(sb.sum(), np.int8),
                              np.full(sb.sum(), si, np.int8), score, level.astype(np.int8),
                              days))
            ca = present & alt
            g = e.grade[rows[ca]].astype(np.int32)
            caa = np.clip(np.round(100 * g + 50 + 18 * rng.normal(0, 1, ca.sum())
                                   + 6 * z[ca]), 100 * g + 1, 100 * g + 99).astype(np.int32)
            lvl = 1 + (caa - 100 * g >= CAA_L2) + (caa - 100 * g >= CAA_L3)
            out.append(Scores(rows[ca], np.ones(ca.sum(), np.int8),
                              np.full(ca.sum(), si, np.int8), caa, lvl.astype(np.int8),
                              _test_days(rows[ca], pop, lo, hi, rng)))
        out.append(_elpac(pop, cal, in_year, p, rng, t))
    return Scores(*(np.concatenate([getattr(s, f) for s in out]) for f in
                    ("row", "test", "subject", "scale_score", "level", "day")))


def _test_days(rows: np.ndarray, pop: Population, lo: int, hi: int,
               rng: np.random.Generator) -> np.ndarray:
    e = pop.enrollments
    a = np.maximum(e.entry[rows], lo)
    b = np.minimum(e.exit[rows], hi)
    return np.minimum(a + (rng.random(rows.size) * (b - a + 1)).astype(np.int64), b).astype(
        np.int16)


def _elpac(pop: Population, cal: SchoolCalendar, in_year: np.ndarray, p: SynthParams,
           rng: np.random.Generator, t: int) -> Scores:
    """Summative ELPAC (or Alternate ELPAC) of ELs in K-12, February to May."""
    from datetime import date

    e, st = pop.enrollments, pop.students
    y = cal.school_year
    lo = cal.index_on_or_after(date(y, 2, 1))
    hi = cal.index_on_or_before(date(y, 5, 31))
    cand = in_year[(e.el[in_year] == demo.EL) & (e.grade[in_year] >= 0)]
    # students reclassified before the testing window no longer take it
    stu = e.student[cand]
    done = (st.reclass_year[stu] == y) & (st.reclass_date[stu] < cal.days[lo])
    rows, day = _window_rows(pop, cal, cand[~done], lo, hi, rng)
    present = rng.random(rows.size) >= p.test_missing_rate
    rows, day = rows[present], day[present]
    stu = e.student[rows]
    g = e.grade[rows].astype(np.int64)
    # one year before the reclassification year, the student scores around Level 4
    years_in = (y - st.us_entry_year[stu] + 2).astype(np.float64)
    t_eff = np.where(np.isfinite(st.reclass_t[stu]), st.reclass_year[stu] - st.us_entry_year[stu],
                     9.0)
    progress = np.clip(years_in / np.maximum(t_eff, 1), 0.05, 3)
    cuts = np.array([ELPAC_CUTS[k] for k in range(13)])
    score = (cuts[g, 2] - 40 + 60 * np.log(progress) + 18 * st.ability[stu]
             + 30 * rng.normal(0, 1, rows.size))
    score = np.clip(np.round(score), ELPAC_LOSS, cuts[g, 3]).astype(np.int32)
    level = 1 + (score >= cuts[g, 0]) + (score >= cuts[g, 1]) + (score >= cuts[g, 2])
    alt = st.alt_assess[stu]
    base = np.array([ALT_ELPAC_BASE[k] for k in range(13)])[g]
    alt_score = np.clip(np.round(base + 50 + 15 * rng.normal(0, 1, rows.size)), base + 1,
                        base + 99).astype(np.int32)
    alt_level = 1 + (alt_score - base >= 44) + (alt_score - base >= 60)
    return Scores(
        rows,
        np.where(alt, 3, 2).astype(np.int8),
        np.full(rows.size, 2, np.int8),
        np.where(alt, alt_score, score).astype(np.int32),
        np.where(alt, alt_level, level).astype(np.int8),
        day,
    )
