"""Per school and year: whether each staffing measure can be computed, the notes saying why
not, and the principal and staffing-ratio values (helpers of :mod:`gapwatch.resources.staffing`).

``raw`` is the query result of :mod:`gapwatch.resources._staffing_sql` as Python lists.
"""

from __future__ import annotations

from collections.abc import Callable

from gapwatch.resources.staffing_spec import FTE_SHARES, RATIOS

#: Prefix of a reason that still lets the measure be computed (the note says what was left out).
PARTIAL = "partial: "
#: What each teacher share needs: (what is missing when nothing is known, what a teacher left
#: out lacks).
_INPUT = {"novice": ("years_experience not given", "unknown years_experience"),
          "not_fully_credentialed": ("credential not given",
                                     "an Incomplete, Unknown or N/A assignment outcome"),
          "out_of_field": ("credential not given",
                           "an Incomplete, Unknown or N/A assignment outcome"),
          "mandatory": ("assignment_type not given", "unknown assignment_type")}


def round_value(v: float | int | None) -> float | int | None:
    """FTE sums to 6 decimals (drops floating-point noise such as 83.89999999999999)."""
    return round(v, 6) if isinstance(v, float) else v


def staff_availability(raw: dict, given: bool, notes: list[list[str]]) -> list[bool]:
    """Whether the school has staff rows that year; the reason in ``notes`` when not."""
    ok = []
    for i, year in enumerate(raw["school_year"]):
        if not given:
            reason = "staff measures: not computed: needs staff"
        elif not raw["staff_year"][i]:
            reason = f"staff measures: no staff data for {year}"
        elif not raw["has_staff"][i]:
            reason = "staff measures: no staff rows for this school and year"
        else:
            reason = ""
        if reason:
            notes[i].append(reason)
        ok.append(not reason)
    return ok


def _share_reason(words: tuple[str, str], stem: str) -> Callable[[dict, int, bool], str | None]:
    """Reason a teacher share is empty (None: computable; 'partial ...': computed, with a note)."""
    def reason(raw: dict, i: int, _: bool) -> str | None:
        teachers, den = raw["teachers"][i], raw[f"{stem}_den"][i]
        if teachers == 0:
            return "no teachers"
        if den == 0:
            return words[0]
        if den < teachers:
            return f"{PARTIAL}{teachers - den} teacher(s) with {words[1]} left out"
        return None
    return reason


def _turnover_reason(raw: dict, i: int, _: bool) -> str | None:
    """Turnover needs staff data for last year and teachers at the school then."""
    year = raw["school_year"][i]
    if not raw["prev_staff_year"][i]:
        return f"no staff data for {year - 1}"
    if raw["prev_teachers"][i] == 0:
        return f"no teachers at this school in {year - 1}"
    return None


def eld_reason(raw: dict, i: int, given: bool) -> str | None:
    """Reason the ELD substitute share is empty (``given``: the sections table exists)."""
    if not given:
        return "not computed: needs sections"
    if not raw["section_year"][i]:
        return f"no sections data for {raw['school_year'][i]}"
    eld, unknown, den = raw["eld_sections"][i], raw["eld_unknown"][i], raw["eld_multi_sub_den"][i]
    if eld is None:
        return "no sections for this school and year"
    if eld == 0:
        return "is_eld not given" if unknown else "no ELD sections"
    if den == 0:
        return "distinct_substitutes not given"
    if den < eld or unknown:
        return (f"{PARTIAL}{eld - den} ELD section(s) with unknown distinct_substitutes and "
                f"{unknown} section(s) with unknown is_eld left out")
    return None


TEACHER_REASONS: dict[str, Callable[[dict, int, bool], str | None]] = {
    "turnover": _turnover_reason,
    **{stem: _share_reason(words, stem) for stem, words in _INPUT.items()},
}


def principals(raw: dict, staff_ok: list[bool], out: dict[str, list],
               notes: list[list[str]]) -> None:
    """Principal tenure, change from last year and principals in the last 3 years."""
    tenure, changed, three = [], [], []
    for i, year in enumerate(raw["school_year"]):
        t = c = p3 = None
        if staff_ok[i]:
            why = []
            if raw["principals"][i] == 0:
                why.append("principal measures: no principal recorded")
            else:
                t = raw["principal_years_at_school"][i]
                if t is None:
                    why.append("principal_years_at_school: years_at_school not given")
                if not raw["prev_staff_year"][i]:
                    why.append(f"principal_changed: no staff data for {year - 1}")
                elif not raw["prev_principals"][i]:
                    why.append(f"principal_changed: no principal recorded in {year - 1}")
                else:
                    c = bool(raw["principal_changed"][i])
            rec = raw["principal_years_recorded"][i] or 0
            if not (raw["prev_staff_year"][i] and raw["prev2_staff_year"][i]):
                why.append("principals_3yr: needs staff data for 3 years")
            elif rec == 0:
                why.append("principals_3yr: no principal recorded in the last 3 years")
            else:
                p3 = raw["principals_3yr"][i]
                if rec < 3:
                    why.append(f"principals_3yr: a principal recorded in only {rec} of the "
                               "3 years")
            notes[i].extend(why)
        tenure.append(None if t is None else float(t))
        changed.append(c)
        three.append(p3)
    out["principal_years_at_school"], out["principal_changed"] = tenure, changed
    out["principals_3yr"] = three


def ratios(raw: dict, staff_ok: list[bool], given: bool, out: dict[str, list],
            notes: list[list[str]]) -> None:
    """FTE per 100 students enrolled on census day, and students per teacher FTE."""
    for m in RATIOS:
        out[m.name] = [None] * len(staff_ok)
    for i, ok in enumerate(staff_ok):
        if not ok:
            continue
        census = raw["enrolled_census"][i]
        if not given or not census:
            notes[i].append("staffing ratios: " + (
                "not computed: needs enrollments" if not given else
                "no enrollment rows for this school and year" if census is None else
                "no students enrolled on census day"))
            continue
        for m in RATIOS:
            num, den = raw[m.numerator][i], raw[m.denominator][i]
            if den:
                out[m.name][i] = m.scale * num / den
            else:
                notes[i].append(f"{m.name}: no {m.denominator.replace('_', ' ')}")


def fte_shares(raw: dict, staff_ok: list[bool], out: dict[str, list],
               notes: list[list[str]]) -> None:
    """Percent of teacher FTE in each TAMO outcome, and of inexperienced teachers."""
    for m in FTE_SHARES:
        col: list[float | None] = []
        for i, ok in enumerate(staff_ok):
            num, den = raw[m.numerator][i], raw[m.denominator][i]
            col.append(m.scale * num / den if ok and den else None)
        out[m.name] = col
    for i, ok in enumerate(staff_ok):
        assumed = raw["teachers_assumed_clear"][i]
        if ok and assumed:
            notes[i].append(f"TAMO: {assumed} credentialed teacher(s) with out_of_field not "
                            "given counted as Clear")
