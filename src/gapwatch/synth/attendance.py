"""Absences: days absent per enrollment row and, on request, one attendance row per day.

A student's absence propensity is logit-normal around ``absence_rate``: it rises with latent
risk, is higher in kindergarten and high school, and varies from year to year. Days absent =
days suspended out of school + a binomial draw over the other enrolled days. The daily table
reproduces those counts exactly: suspension days sit right after the incident (status ``S``),
the other absences fall on random days (``A`` unexcused or ``E`` excused).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from gapwatch.synth.calendar import SchoolCalendar
from gapwatch.synth.discipline import Incidents
from gapwatch.synth.params import SynthParams
from gapwatch.synth.population import Population
from gapwatch.synth.schools import Layout
from gapwatch.synth.streams import stream
from gapwatch.synth.util import expand, group_offsets, logistic_intercept, sigmoid

_GRADE_EFFECT = np.array([0.35, 0.3, 0.0, -0.1, -0.15, -0.15, -0.15, -0.1, 0.0, 0.1, 0.3, 0.35,
                          0.45, 0.55])  # TK .. 12
STATUS = ("P", "A", "E", "S")
_ROWS_PER_CHUNK = 4_000_000


def absence_propensity(pop: Population, layout: Layout, p: SynthParams, seed: int) -> np.ndarray:
    """Probability of being absent on a given day, for each enrollment row."""
    e, st = pop.enrollments, pop.students
    rng = stream(seed, "attendance")
    risk = st.risk[e.student].astype(np.float64)
    risk_z = (risk - risk.mean()) / max(risk.std(), 1e-9)
    x = p.absence_spread * (0.75 * risk_z + 0.66 * rng.normal(0, 1, len(e)))
    x += _GRADE_EFFECT[e.grade + 1] + 0.15 * layout.need[e.school]
    first = e.year == e.year.min()
    w = e.days_enrolled[first].astype(np.float64)
    c = logistic_intercept(x[first], p.absence_rate, weights=w)
    return sigmoid(c + x)


def days_absent(pop: Population, propensity: np.ndarray, suspended: np.ndarray,
                seed: int) -> np.ndarray:
    """Days absent of each row: suspended days + binomial absences over the other days."""
    rng = stream(seed, "attendance", 1)
    other = pop.enrollments.days_enrolled.astype(np.int64) - suspended
    return (suspended + rng.binomial(other, propensity)).astype(np.int16)


def daily_batches(
    pop: Population,
    calendars: list[SchoolCalendar],
    incidents: Incidents,
    suspended: np.ndarray,
    student_ids: pa.Array,
    school_ids: pa.Array,
    seed: int,
) -> Iterator[tuple[int, pa.Table]]:
    """``attendance_daily`` in batches: (enrollment rows done, table of the batch)."""
    e = pop.enrollments
    n_enrolled = e.days_enrolled.astype(np.int64)
    first_year = calendars[0].school_year
    # rows of the incidents whose suspension days are at home
    home = incidents.home_days > 0
    inc_row, inc_day, inc_k = incidents.row[home], incidents.day[home], incidents.home_days[home]
    inc_order = np.argsort(inc_row, kind="stable")
    inc_row, inc_day, inc_k = inc_row[inc_order], inc_day[inc_order], inc_k[inc_order]
    cum = np.cumsum(n_enrolled)
    start = 0
    chunk = 0
    while start < len(e):
        base = cum[start - 1] if start else 0
        stop = int(np.searchsorted(cum, base + _ROWS_PER_CHUNK, side="right"))
        stop = max(stop, start + 1)
        rows = np.arange(start, stop)
        rng = stream(seed, "daily", chunk)
        yield stop, _daily_chunk(pop, calendars, first_year, rows, n_enrolled, suspended,
                                 inc_row, inc_day, inc_k, student_ids, school_ids, rng)
        start = stop
        chunk += 1


def _daily_chunk(
    pop: Population,
    calendars: list[SchoolCalendar],
    first_year: int,
    rows: np.ndarray,
    n_enrolled: np.ndarray,
    suspended: np.ndarray,
    inc_row: np.ndarray,
    inc_day: np.ndarray,
    inc_k: np.ndarray,
    student_ids: pa.Array,
    school_ids: pa.Array,
    rng: np.random.Generator,
) -> pa.Table:
    e = pop.enrollments
    counts = n_enrolled[rows]
    local, pos = expand(counts)
    offsets = group_offsets(counts)
    r = rows[local]
    day = e.entry[r].astype(np.int64) + pos
    # days right after an out-of-school suspension come first in line to be marked S
    linked = np.zeros(local.size, dtype=bool)
    lo, hi = np.searchsorted(inc_row, rows[0]), np.searchsorted(inc_row, rows[-1], side="right")
    if hi > lo:
        i_row, i_day, i_k = inc_row[lo:hi], inc_day[lo:hi].astype(np.int64), inc_k[lo:hi]
        owner, step = expand(i_k.astype(np.int64))
        lrow = i_row[owner] - rows[0]
        d = i_day[owner] + 1 + step
        ok = d <= e.exit[i_row[owner]]
        linked[offsets[lrow[ok]] + d[ok] - e.entry[i_row[owner][ok]]] = True
    key = local * 2.0 + (~linked) + rng.random(local.size) * 0.999
    order = np.argsort(key, kind="stable")
    rank = np.empty(local.size, dtype=np.int64)
    rank[order] = np.arange(local.size) - offsets[local[order]]
    n_s = suspended[r]
    n_abs = e.days_absent[r]
    status = np.zeros(local.size, dtype=np.int8)
    absent = (rank >= n_s) & (rank < n_abs)
    risk = pop.students.risk[e.student[r]]
    unexcused = rng.random(local.size) < sigmoid(-0.4 + 0.8 * risk)
    status[absent] = np.where(unexcused[absent], 1, 2)
    status[rank < n_s] = 3
    tardy = (status == 0) & (rng.random(local.size) < 0.015)
    minutes = np.where(tardy, rng.integers(10, 181, local.size), 0)
    year_idx = e.year[r] - first_year
    dates = np.empty(local.size, dtype=np.int32)
    for y, cal in enumerate(calendars):
        m = year_idx == y
        dates[m] = cal.days[day[m]]
    idx_stu = pa.array(e.student[r])
    return pa.table({
        "student_id": student_ids.take(idx_stu),
        "school_id": school_ids.take(pa.array(e.school[r])),
        "date": pa.array(dates.view("int32"), pa.int32()).cast(pa.date32()),
        "status": pa.array(STATUS).take(pa.array(status)),
        "minutes_absent": pa.array(minutes.astype(np.int32), mask=~tardy),
    })
