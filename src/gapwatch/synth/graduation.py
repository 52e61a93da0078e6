"""Four-year graduation cohorts, with five-year graduates where the data reach that far.

A student's cohort year is set when they first enter grade 9 (three years later); students
who transfer out of the district leave their cohort; dropouts stay in it. The outcome is the
latest known in the generated years: a fifth-year graduate shows as ``GRAD_5YR`` only when the
fifth year is inside them, otherwise as ``STILL_ENROLLED``. The accountable school is the
last high school of enrollment. Graduates complete a-g, earn the Seal of Biliteracy and count
as prepared on the College/Career Indicator with probabilities rising with ability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gapwatch.synth import population as P
from gapwatch.synth.params import SynthParams
from gapwatch.synth.population import Population
from gapwatch.synth.streams import stream
from gapwatch.synth.util import last_in_run, logistic_intercept, sigmoid

OUTCOMES = ("GRAD", "GRAD_5YR", "DROPOUT", "STILL_ENROLLED", "HSE", "CERT")
GRAD, GRAD_5YR, DROPOUT, STILL, HSE, CERT = range(6)


@dataclass
class Cohorts:
    """One entry per student in a cohort of the generated years."""

    cohort_year: np.ndarray  # int16
    student: np.ndarray  # int32
    school: np.ndarray  # int32 accountable school
    outcome: np.ndarray  # int8 into OUTCOMES
    grad_day: np.ndarray  # int32 day number (graduates only)
    ag: np.ndarray  # bool
    seal: np.ndarray  # bool
    cci: np.ndarray  # bool


def generate(pop: Population, first_year: int, last_year: int, p: SynthParams,
             seed: int) -> Cohorts:
    """Cohorts expected to graduate in each generated year."""
    rng = stream(seed, "graduation")
    e, st = pop.enrollments, pop.students
    hs = np.flatnonzero(e.grade >= 9)
    egy = st.egy[e.student[hs]]
    hs = hs[(e.year[hs] <= egy + 1)]
    # last high-school row of each student (rows are sorted by year, student, entry)
    order = np.lexsort((e.entry[hs], e.year[hs], e.student[hs]))
    hs = hs[order]
    last = last_in_run(e.student[hs])
    rows = hs[last]
    stu = e.student[rows]
    egy = st.egy[stu].astype(np.int64)
    keep = (egy >= first_year) & (egy <= last_year) & (pop.outcome[stu] != P.OUT_LEFT)
    rows, stu, egy = rows[keep], stu[keep], egy[keep]
    code, when = pop.outcome[stu], pop.outcome_year[stu].astype(np.int64)
    known = when <= egy + 1
    outcome = np.full(stu.size, STILL, dtype=np.int8)
    grad = (code == P.OUT_GRAD) & known
    outcome[grad & (when <= egy)] = GRAD
    outcome[grad & (when == egy + 1)] = GRAD_5YR
    outcome[(code == P.OUT_DROPOUT) & known] = DROPOUT
    outcome[(code == P.OUT_HSE) & known] = HSE
    outcome[(code == P.OUT_CERT) & known] = CERT
    graduate = np.isin(outcome, (GRAD, GRAD_5YR))
    ability = st.ability[stu].astype(np.float64)
    z = (ability - ability.mean()) / max(ability.std(), 1e-9)
    x_ag = 1.5 * z
    c_ag = logistic_intercept(x_ag[graduate], p.ag_complete_rate)
    ag = graduate & (rng.random(stu.size) < sigmoid(c_ag + x_ag))
    x_seal = 1.0 * z + 2.0 * (st.el_ever[stu] | st.ifep[stu])
    c_seal = logistic_intercept(x_seal[graduate], p.seal_biliteracy_rate)
    seal = graduate & (rng.random(stu.size) < sigmoid(c_seal + x_seal))
    x_cci = 1.2 * z + 1.0 * ag
    c_cci = logistic_intercept(x_cci[graduate], p.cci_prepared_rate)
    cci = graduate & (rng.random(stu.size) < sigmoid(c_cci + x_cci))
    order = np.lexsort((stu, egy))
    return Cohorts(
        cohort_year=egy[order].astype(np.int16),
        student=stu[order],
        school=e.school[rows][order],
        outcome=outcome[order],
        grad_day=pop.outcome_day[stu][order],
        ag=ag[order],
        seal=seal[order],
        cci=cci[order],
    )
