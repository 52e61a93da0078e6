"""Staff across years, teachers of record, and substitute coverage of sections.

Each school's positions follow its enrollment (teachers ~1 per ``students_per_teacher``, worse
in some schools; counselors in secondary schools; part-time nurses, psychologists and social
workers; aides by the number of students with IEPs). Every summer staff leave, more often in
high-need schools and in their first years; some leavers move to another school of the
district (voluntary moves favour low-need schools), staff displaced by falling enrollment are
placed by mandatory assignment (favouring hard-to-staff schools), and the remaining vacancies
are filled by new hires, who are novices more often in high-need schools. Staff ids persist.

Teachers' assignments follow CDE's Teaching Assignment Monitoring Outcomes (METHODS.md 6.2):
of the credentialed (clear or preliminary) teachers teaching out of field, about
``LIMITED_PERMIT_SHARE`` hold a limited assignment permit (Out-of-Field) and the rest are
misassigned (Ineffective); :func:`tamo_outcomes` gives the outcome CDE would report for the
latest year (an approximation: a few assignments are left Incomplete).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gapwatch.synth.courses import CATALOG, Sections
from gapwatch.synth.params import SynthParams
from gapwatch.synth.population import Population
from gapwatch.synth.schools import ALT, ELEM, K8, Layout
from gapwatch.synth.streams import stream
from gapwatch.synth.util import categorical, logit, rank_within, sigmoid

ROLES = ("TEACHER", "PRINCIPAL", "ASSISTANT_PRINCIPAL", "COUNSELOR", "NURSE", "SOCIAL_WORKER",
         "PSYCHOLOGIST", "PARAPROFESSIONAL", "LIBRARIAN", "OTHER")
TEACHER, PRINCIPAL, AP, COUNSELOR, NURSE, SOCIAL_WORKER, PSYCH, PARA, LIBRARIAN, OTHER = range(10)
CREDENTIALS = ("CLEAR", "PRELIMINARY", "INTERN", "PERMIT", "WAIVER", "NONE", "LIMITED_PERMIT")
#: Of the credentialed teachers teaching out of field, the share on a limited assignment
#: permit (approximation; the rest are misassigned).
LIMITED_PERMIT_SHARE = 0.5
#: TAMO outcomes the generator reports for the latest year, and the share left Incomplete.
TAMO_OUTCOMES = ("CLEAR", "OUT_OF_FIELD", "INTERN", "INEFFECTIVE", "INCOMPLETE")
INCOMPLETE_SHARE = 0.02
ASSIGNMENTS = ("MUTUAL_CONSENT", "MANDATORY", "OTHER")
_CERTIFICATED = np.array([True, True, True, True, True, True, True, False, True, False])


@dataclass
class Staff:
    """One entry per staff member, school and year."""

    year: np.ndarray  # int16
    staff: np.ndarray  # int32 staff number (persists across years)
    school: np.ndarray  # int32
    role: np.ndarray  # int8 into ROLES
    fte: np.ndarray  # float64
    experience: np.ndarray  # int16 years in the role
    at_school: np.ndarray  # int16 years at this school
    credential: np.ndarray  # int8 into CREDENTIALS
    out_of_field: np.ndarray  # bool (teachers only)
    assignment: np.ndarray  # int8 into ASSIGNMENTS

    def __len__(self) -> int:
        return int(self.year.size)

    def take(self, idx: np.ndarray) -> Staff:
        return Staff(**{k: v[idx] for k, v in self.__dict__.items()})


def _enrollment(pop: Population, layout: Layout, year: int, n_days: int) -> tuple[np.ndarray,
                                                                                   np.ndarray]:
    """Average daily enrollment and students with IEPs of each school in ``year``."""
    e = pop.enrollments
    m = e.year == year
    w = e.days_enrolled[m] / n_days
    size = np.bincount(e.school[m], weights=w, minlength=layout.n)
    swd = np.bincount(e.school[m], weights=w * e.swd[m], minlength=layout.n)
    return size, swd


def _targets(size: np.ndarray, swd: np.ndarray, layout: Layout, ratio: np.ndarray,
             u_school: np.ndarray, p: SynthParams) -> tuple[np.ndarray, np.ndarray]:
    """Positions (count) and FTE of one position, per school and role."""
    n = layout.n
    count = np.zeros((n, len(ROLES)), dtype=np.int64)
    fte = np.ones((n, len(ROLES)))
    open_ = size > 0
    elem = np.isin(layout.kind, (ELEM, K8))
    count[:, TEACHER] = np.ceil(size / ratio)
    count[:, PRINCIPAL] = 1
    count[:, AP] = np.where(elem, size > 650, np.maximum(1, np.round(size / 600)))
    count[:, COUNSELOR] = np.where(elem, size > 900,
                                   np.maximum(1, np.round(size / p.students_per_counselor)))
    need_pos = sigmoid(layout.need)
    for role, per, extra in ((NURSE, 1500, 0.0), (PSYCH, 1200, 0.0), (SOCIAL_WORKER, 1000, 0.8)):
        count[:, role] = 1
        fte[:, role] = np.clip(np.round(size / per * (1 + extra * need_pos) * 5) / 5, 0.2, 1.0)
    count[:, SOCIAL_WORKER] = u_school < 0.4 + 0.5 * need_pos
    count[:, PARA] = np.round(swd / 10) + 2 * elem
    count[:, LIBRARIAN] = u_school < np.where(elem, 0.3, 0.8)
    count[:, OTHER] = 2 + np.round(size / 300)
    count[layout.kind == ALT, AP] = 0
    count[~open_] = 0
    return count, fte


def generate(pop: Population, layout: Layout, years: list[int], days_per_year: list[int],
             p: SynthParams, seed: int) -> Staff:
    """Staff of every year."""
    rng = stream(seed, "staff")
    ratio = p.students_per_teacher * np.exp(p.teacher_ratio_sd * rng.normal(0, 1, layout.n)
                                            + 0.04 * layout.need)
    u_school = rng.random(layout.n)
    frames: list[Staff] = []
    next_id = 0
    prev: Staff | None = None
    for t, (year, n_days) in enumerate(zip(years, days_per_year, strict=True)):
        rng = stream(seed, "staff", t + 1)
        size, swd = _enrollment(pop, layout, year, n_days)
        count, fte = _targets(size, swd, layout, ratio, u_school, p)
        if prev is None:
            cur, next_id = _hire(count, fte, layout, year, 0, p, rng, initial=True)
        else:
            cur, next_id = _turnover(prev, count, fte, layout, year, next_id, p, rng)
        frames.append(cur)
        prev = cur
    staff = Staff(*(np.concatenate([getattr(f, k) for f in frames])
                    for k in Staff.__annotations__))
    # a limited assignment permit belongs to the person: one draw per staff member
    holds = stream(seed, "limited_permit").random(next_id + 1)[staff.staff] < LIMITED_PERMIT_SHARE
    credentialed = staff.credential <= CREDENTIALS.index("PRELIMINARY")
    limited = (staff.role == TEACHER) & staff.out_of_field & credentialed & holds
    staff.credential = np.where(limited, CREDENTIALS.index("LIMITED_PERMIT"),
                                staff.credential).astype(np.int8)
    return staff


def tamo_outcomes(staff: Staff, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Index into :data:`TAMO_OUTCOMES` for the teachers of the latest year, and the rows
    without one (other roles and years): as CDE would report from the credentials, with
    ``INCOMPLETE_SHARE`` of assignments left Incomplete."""
    c = staff.credential
    outcome = np.select(
        [np.isin(c, [CREDENTIALS.index(x) for x in ("PERMIT", "WAIVER", "NONE")]),
         c == CREDENTIALS.index("INTERN"), c == CREDENTIALS.index("LIMITED_PERMIT"),
         staff.out_of_field],
        [3, 2, 1, 3], 0)
    u = stream(seed, "tamo").random(len(staff))
    outcome = np.where(u < INCOMPLETE_SHARE, 4, outcome)
    none = (staff.role != TEACHER) | (staff.year != staff.year.max(initial=0))
    return outcome.astype(np.int32), none


def _hire(count: np.ndarray, fte: np.ndarray, layout: Layout, year: int, next_id: int,
          p: SynthParams, rng: np.random.Generator, *, initial: bool) -> tuple[Staff, int]:
    """New people for ``count`` positions (the whole first-year staff when ``initial``)."""
    school, role = np.nonzero(count)
    reps = count[school, role]
    school, role = np.repeat(school, reps), np.repeat(role, reps).astype(np.int8)
    k = school.size
    need = layout.need[school]
    novice_share = logit(0.12 if initial else p.novice_hire_share)
    novice = rng.random(k) < sigmoid(novice_share + p.novice_need_effect * need)
    exp_ = np.where(novice, rng.integers(0, 3 if initial else 2, k),
                    3 + np.minimum(rng.gamma(2.0, 5.0, k), 37).astype(np.int64))
    at_school = (exp_ * rng.random(k) ** (1 + 0.5 * sigmoid(need))).astype(np.int64)
    if not initial:
        at_school[:] = 0
    f = fte[school, role]
    teacher = role == TEACHER
    f[teacher] = np.where(rng.random(int(teacher.sum())) < 0.95, 1.0,
                          np.where(rng.random(int(teacher.sum())) < 0.5, 0.5, 0.8))
    staff = Staff(
        year=np.full(k, year, np.int16),
        staff=np.arange(next_id, next_id + k, dtype=np.int32),
        school=school.astype(np.int32),
        role=role,
        fte=f,
        experience=exp_.astype(np.int16),
        at_school=at_school.astype(np.int16),
        credential=_credentials(role, exp_, need, rng),
        out_of_field=np.zeros(k, bool),
        assignment=_assignment(need, rng, initial),
    )
    staff.out_of_field = _out_of_field(staff, need, rng)
    return staff, next_id + k


def _credentials(role: np.ndarray, exp_: np.ndarray, need: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    k = role.size
    shift = np.exp(0.5 * need)[:, None]
    novice = np.array([0.0, 0.62, 0.20, 0.12, 0.04, 0.02])[None, :]
    early = np.array([0.5, 0.4, 0.05, 0.04, 0.01, 0.0])[None, :]
    veteran = np.array([0.97, 0.01, 0.0, 0.015, 0.005, 0.0])[None, :]
    base = np.where((exp_ <= 2)[:, None], novice, np.where((exp_ <= 5)[:, None], early, veteran))
    base = base * np.concatenate([np.ones((k, 2)), np.repeat(shift, 4, axis=1)], axis=1)
    cred = categorical(rng.random(k), base)
    other_staff = role != TEACHER
    cred = np.where(other_staff, np.where(rng.random(k) < 0.85, 0, 1), cred)
    cred = np.where(_CERTIFICATED[role], cred, CREDENTIALS.index("NONE"))
    return cred.astype(np.int8)


def _assignment(need: np.ndarray, rng: np.random.Generator, initial: bool) -> np.ndarray:
    k = need.size
    if not initial:
        return np.where(rng.random(k) < 0.93, 0, 2).astype(np.int8)
    mandatory = rng.random(k) < sigmoid(logit(0.04) + 0.6 * need)
    return np.where(mandatory, 1, np.where(rng.random(k) < 0.03, 2, 0)).astype(np.int8)


def _out_of_field(s: Staff, need: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    under = s.credential >= CREDENTIALS.index("INTERN")
    p_oof = 0.03 + 0.05 * sigmoid(need) + 0.12 * under
    return (s.role == TEACHER) & (rng.random(len(s)) < p_oof)


def _turnover(prev: Staff, count: np.ndarray, fte: np.ndarray, layout: Layout, year: int,
              next_id: int, p: SynthParams, rng: np.random.Generator) -> tuple[Staff, int]:
    """Next year's staff from this year's: stay, move, leave, be displaced, be hired."""
    n_roles = len(ROLES)
    k = len(prev)
    need = layout.need[prev.school]
    base = np.where(prev.role == TEACHER, logit(p.teacher_turnover),
                    np.where(prev.role == PRINCIPAL, logit(p.principal_turnover), logit(0.10)))
    x = base + p.turnover_need_effect * need + 0.5 * (prev.experience <= 2)
    x += 1.0 * (prev.experience >= 30)
    leave = rng.random(k) < sigmoid(x)
    mover = leave & (rng.random(k) < p.staff_move_share)
    stay = ~leave
    group = prev.school.astype(np.int64) * n_roles + prev.role
    target = count.reshape(-1)
    rank = rank_within(np.where(stay, group, -1) + 1, rng.random(k))
    kept = stay & (rank < target[group])
    displaced = stay & ~kept
    filled = np.bincount(group[kept], minlength=target.size)
    vacancies = np.maximum(target - filled, 0)
    placed_school = np.full(k, -1, dtype=np.int64)
    mandatory = np.zeros(k, dtype=bool)
    for who, sign in ((displaced, 1.0), (mover, -1.0)):
        for r in range(n_roles):
            people = np.flatnonzero(who & (prev.role == r))
            slots_g = np.flatnonzero(vacancies.reshape(-1, n_roles)[:, r]) * n_roles + r
            if people.size == 0 or slots_g.size == 0:
                continue
            slots = np.repeat(slots_g, vacancies[slots_g])
            w = np.exp(sign * 0.8 * layout.need[slots // n_roles])
            key = np.log(rng.random(slots.size)) / w
            take = slots[np.argsort(-key, kind="stable")[: people.size]]
            people = rng.permutation(people)[: take.size]
            placed_school[people] = take // n_roles
            np.subtract.at(vacancies, take, 1)
            mandatory[people] = sign > 0
    moved = placed_school >= 0
    carry = kept | moved
    nxt = prev.take(np.flatnonzero(carry))
    nxt.year[:] = year
    nxt.school = np.where(moved, placed_school, prev.school)[carry].astype(np.int32)
    nxt.experience = nxt.experience + 1
    nxt.at_school = np.where(moved[carry], 0, nxt.at_school + 1).astype(np.int16)
    was_moved = moved[carry]
    nxt.assignment = np.where(was_moved, np.where(mandatory[carry], 1, 0),
                              nxt.assignment).astype(np.int8)
    nxt.fte = np.where(nxt.role == TEACHER, nxt.fte, fte.reshape(-1)[
        nxt.school.astype(np.int64) * n_roles + nxt.role])
    # credentials progress: intern/permit/waiver -> preliminary -> clear
    c = nxt.credential.copy()
    u = rng.random(c.size)
    teacher = nxt.role == TEACHER
    c = np.where(teacher & (c == 1) & (nxt.experience >= 2) & (u < 0.35), 0, c)
    c = np.where(teacher & (c >= 2) & (c <= 4) & (u < 0.4), 1, c)
    nxt.credential = c.astype(np.int8)
    redraw = _out_of_field(nxt, layout.need[nxt.school], rng)
    nxt.out_of_field = np.where(was_moved, redraw, nxt.out_of_field)
    new_count = vacancies.reshape(-1, n_roles)
    hires, next_id = _hire(new_count, fte, layout, year, next_id, p, rng, initial=False)
    both = Staff(*(np.concatenate([getattr(nxt, f), getattr(hires, f)])
                   for f in Staff.__annotations__))
    order = np.lexsort((both.staff, both.role, both.school))
    return both.take(order), next_id


def assign_teachers(sections: Sections, staff: Staff, layout: Layout, days_per_year: dict[int,
                    int], p: SynthParams, seed: int) -> dict[str, np.ndarray]:
    """Teacher of record (staff row), substitute days and distinct substitutes per section."""
    rng = stream(seed, "sections")
    teachers = np.flatnonzero(staff.role == TEACHER)
    t_key = staff.year[teachers].astype(np.int64) * 100_000 + staff.school[teachers]
    order = np.argsort(t_key, kind="stable")
    teachers, t_key = teachers[order], t_key[order]
    s_key = sections.year.astype(np.int64) * 100_000 + sections.school
    first = np.searchsorted(t_key, s_key, side="left")
    n_t = np.searchsorted(t_key, s_key, side="right") - first
    if np.any(n_t == 0):
        raise RuntimeError("a school with sections has no teachers")
    rank = rank_within(s_key - s_key.min(), np.arange(s_key.size, dtype=np.float64))
    years = sorted(days_per_year)
    rotation = rng.integers(0, 1 << 30, (len(years), layout.n))  # per school and year
    offset = rotation[np.searchsorted(years, sections.year), sections.school]
    teacher_row = teachers[first + (rank + offset) % n_t]
    need = layout.need[sections.school]
    novice = staff.experience[teacher_row] <= 2
    lam = p.substitute_days_mean * np.exp(0.35 * need) * np.where(novice, 1.5, 1.0)
    n_days = np.array([days_per_year[int(y)] for y in sections.year])
    sub_days = np.minimum(rng.poisson(lam), n_days)
    eld = np.array([CATALOG[c][2] == "ELD" for c in range(len(CATALOG))])[sections.course]
    p_new = np.minimum(0.12 + 0.18 * sigmoid(need) * np.where(eld & (need > 0.5), 2.5, 1.0),
                       0.9)
    distinct = np.where(sub_days > 0, 1 + rng.binomial(np.maximum(sub_days - 1, 0), p_new), 0)
    return {"teacher_row": teacher_row, "substitute_days": sub_days,
            "distinct_substitutes": distinct, "is_eld": eld}
