"""Discipline incidents, with the disproportionality districts report.

Incidents per enrollment row follow a Poisson rate that rises with the student's latent risk,
with the grade (middle school highest), and with the school's climate; African American
students and students with disabilities get extra rate at the same risk (the AA bias varies by
school), so suspension gaps are larger than need alone explains. Out-of-school suspensions and
expulsions keep the student home on the instructional days after the incident: those days are
counted absent (status ``S`` in ``attendance_daily``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gapwatch.synth.demographics import RACES
from gapwatch.synth.params import SynthParams
from gapwatch.synth.population import Population
from gapwatch.synth.schools import Layout
from gapwatch.synth.streams import stream
from gapwatch.synth.util import categorical, shares_array

ACTIONS = ("OSS", "ISS", "EXP", "OTHER")
OSS, ISS, EXP, OTHER = range(4)
_GRADE_EFFECT = np.array([-2.0, -1.8, -1.6, -1.4, -1.1, -0.8, -0.5, 0.4, 0.5, 0.5, 0.3, 0.2,
                          0.1, 0.0])  # TK .. 12
#: California Education Code grounds (approximate mix).
OFFENSES = ("48900(a)(1)", "48900(a)(2)", "48900(b)", "48900(c)", "48900(e)", "48900(f)",
            "48900(g)", "48900(h)", "48900(i)", "48900(j)", "48900(k)", "48900(r)", "48900.2",
            "48900.4", "48900.7")
_OFFENSE_P = np.array([.18, .12, .05, .10, .02, .03, .04, .05, .06, .02, .10, .08, .03, .08,
                       .04])
_OSS_DAYS = (np.array([0.5, 1, 2, 3, 4, 5]), np.array([.10, .35, .25, .15, .05, .10]))
_ISS_DAYS = (np.array([0.5, 1, 2]), np.array([.3, .5, .2]))
EXPULSION_DAYS = 5.0  # suspension pending the expulsion decision


@dataclass
class Incidents:
    """One entry per incident (sorted by year, date, school, student)."""

    row: np.ndarray  # enrollment row
    day: np.ndarray  # int16 instructional-day index of the incident
    action: np.ndarray  # int8 into ACTIONS
    days: np.ndarray  # float64 days of suspension or removal
    offense: np.ndarray  # int8 into OFFENSES
    seq: np.ndarray  # int32 number within the year (for incident_id)
    home_days: np.ndarray  # int16 whole instructional days at home (OSS/EXP), within enrollment

    def suspension_days_per_row(self, n_rows: int, days_enrolled: np.ndarray) -> np.ndarray:
        """Days each enrollment row spends suspended out of school (capped at days enrolled)."""
        total = np.bincount(self.row, weights=self.home_days, minlength=n_rows)
        return np.minimum(total, days_enrolled).astype(np.int16)


def generate(pop: Population, layout: Layout, n_days: np.ndarray, p: SynthParams,
             seed: int) -> Incidents:
    """Incidents of every enrollment row; ``n_days`` is the year's day count of each row."""
    e, st = pop.enrollments, pop.students
    rng = stream(seed, "discipline")
    days_enrolled = e.days_enrolled.astype(np.float64)
    aa = st.race[e.student] == RACES.index("AA")
    x = (
        0.8 * st.risk[e.student]
        + p.discipline_bias_aa * aa * layout.aa_bias[e.school]
        + p.discipline_bias_swd * e.swd
        + _GRADE_EFFECT[e.grade + 1]
        + layout.discipline[e.school]
    )
    frac = days_enrolled / n_days
    first = e.year == e.year.min()
    n_first = np.unique(e.student[first]).size
    c = np.log(p.incidents_per_student * n_first / max(float(np.sum(np.exp(x[first])
                                                                      * frac[first])), 1e-9))
    count = rng.poisson(np.exp(c + x) * frac)
    row = np.repeat(np.arange(len(e)), count)
    k = row.size
    day = (e.entry[row] + (rng.random(k) * days_enrolled[row]).astype(np.int64)).astype(np.int16)
    action = categorical(rng.random(k), shares_array(p.shares("action_shares"), ACTIONS))
    young = e.grade[row] <= 3  # young children are rarely sent home
    action = np.where(young & (action == OSS) & (rng.random(k) < 0.5), OTHER, action)
    days = np.zeros(k)
    oss = action == OSS
    days[oss] = _OSS_DAYS[0][categorical(rng.random(int(oss.sum())), _OSS_DAYS[1])]
    iss = action == ISS
    days[iss] = _ISS_DAYS[0][categorical(rng.random(int(iss.sum())), _ISS_DAYS[1])]
    days[action == EXP] = EXPULSION_DAYS
    offense = categorical(rng.random(k), _OFFENSE_P).astype(np.int8)
    home = np.where(np.isin(action, (OSS, EXP)), np.ceil(days), 0)
    home = np.minimum(home, e.exit[row].astype(np.int64) - day).astype(np.int16)

    year = e.year[row]
    order = np.lexsort((e.student[row], e.school[row], day, year))
    row, day, action, days, offense, home, year = (
        a[order] for a in (row, day, action, days, offense, home, year)
    )
    starts = np.r_[0, np.flatnonzero(year[1:] != year[:-1]) + 1]
    seq = np.arange(k) - np.repeat(starts, np.diff(np.r_[starts, k])) + 1 if k else row
    return Incidents(row, day, action.astype(np.int8), days, offense, seq.astype(np.int32),
                     home)
